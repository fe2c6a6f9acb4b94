/*
 * escape.h - the named escapers.  Every user-controlled string reaches
 * output through one of these; a printf of a compose value into output is
 * a bug.  The rules are in the .c file and in TESTING.md ("Quoting in
 * Exec*= lines").
 */
#ifndef COMPOSEC_ESCAPE_H
#define COMPOSEC_ESCAPE_H

#include "base/base.h"

/* POSIX shell: one single-quoted word ('it'\''s'); the empty string is ''. */
void sh_quote(struct strbuf *out, const char *s);

/* The text of a shell comment line: control characters (of a file name)
 * as '?', so that the comment cannot end early. */
void sh_comment_text(struct strbuf *out, const char *s);

/* One argument of a systemd Exec*= line: always double-quoted; \ " and
 * control characters as C escapes (\n \t \r \xNN); % as %%; $ as $$.
 * Bytes >= 0x80 that are not valid UTF-8 are escaped as \xNN. */
void systemd_exec_arg(struct strbuf *out, const char *s);
/* An Exec*= command line from argv, arguments separated by spaces. */
void systemd_exec_line(struct strbuf *out, const char *const *argv, size_t n);

/* A systemd setting value that is not an Exec line and is not
 * $-expanded (Description=, Environment= value parts, quadlet keys):
 * % as %%, control characters and \ escaped; the caller decides about
 * quoting with systemd_quoted_value. */
void systemd_value(struct strbuf *out, const char *s);
/* A value in double quotes (for Environment="K=V" and quadlet keys
 * that take quoted words): \ " and controls escaped, % as %%. */
void systemd_quoted_value(struct strbuf *out, const char *s);

/* systemd-escape: a string as one unit-name component ("/" -> "-",
 * unsafe bytes -> \xNN, leading "." -> \x2e). */
void unit_name_escape(struct strbuf *out, const char *s);

/* A unit-name component: s when every byte is valid in a unit name, else
 * systemd-escaped. */
void unit_name_component(struct strbuf *sb, const char *s);
/* "<project>-<name><suffix>", the name of a project's unit or Quadlet file
 * (systemd and Quadlet targets alike): each component kept when every byte
 * is valid in a unit name, else systemd-escaped (the backslashes that
 * makes then have the file set refuse the name, which is reported). */
const char *unit_base_name(struct arena *a, const char *project, const char *name, const char *suffix);

#endif

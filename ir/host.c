/*
 * host.c - what one host cannot run, whatever the target.
 *
 * The loader accepts what docker compose's `config` accepts; some of it
 * cannot run on a single engine, and `docker compose up` fails there at
 * run time.  The single-host targets (systemd, Quadlet, sh, plan) report it
 * here, once, before they write anything; Kubernetes spreads replicas over
 * pods and has no such limit.
 */
#include "ir/ir.h"

int project_check_one_host(const struct project *p, struct diag *d)
{
	int errors = d->errors;
	for (size_t i = 0; i < p->n_services; i++) {
		const struct service *s = p->services[i];
		if (s->replicas <= 1)
			continue;
		/* a fixed host port: the second replica's container finds it
		 * taken ("port is already allocated" from docker compose up);
		 * a range gives each replica a port of its own */
		for (size_t k = 0; k < s->n_ports; k++) {
			const struct port *pt = &s->ports[k];
			if (pt->published && pt->published_lo == pt->published_hi)
				diag_error(d, pt->loc,
					   "service \"%s\": published port %s cannot be shared by %lld replicas on one "
					   "host (use a port range, or no published port)",
					   s->name, pt->published, (long long)s->replicas);
		}
	}
	return d->errors == errors ? 0 : -1;
}

# bash completion for composec, compose2systemd, compose2quadlet, compose2k8s,
# compose2sh and composec-run (installed as
# /usr/share/bash-completion/completions/composec, with a link per name).
# tests/cli/test_completion.sh keeps its option lists in step with --help.

_composec_options='-f --file -o --output -p --project-name --project-directory --env-file
--profile --engine --engine-path --podman-version --docker-version --strict --loose --namespace
--wait-image --kubectl-image --service-type --controller --pvc-size --pod --format --fail-on
--ignore-file --list-rules --check --force -q --quiet -v --verbose --version -h --help'
_composec_commands='config systemd quadlet k8s sh plan audit'

_composec()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd=${COMP_WORDS[0]##*/} sub='' i
	case $cmd in
	compose2*) sub=${cmd#compose2} ;;
	*)
		for ((i = 1; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			config | systemd | quadlet | k8s | sh | plan | audit)
				sub=${COMP_WORDS[i]}
				break
				;;
			esac
		done
		;;
	esac
	COMPREPLY=()
	case $prev in
	--engine)
		mapfile -t COMPREPLY < <(compgen -W 'docker podman' -- "$cur")
		return
		;;
	--format)
		local formats='yaml json helm text sarif'
		case $sub in
		config) formats='yaml json' ;;
		k8s) formats='yaml json helm' ;;
		audit) formats='text json sarif' ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$formats" -- "$cur")
		return
		;;
	--fail-on)
		mapfile -t COMPREPLY < <(compgen -W 'info low medium high critical' -- "$cur")
		return
		;;
	--service-type)
		mapfile -t COMPREPLY < <(compgen -W 'clusterip nodeport loadbalancer headless' -- "$cur")
		return
		;;
	--controller)
		mapfile -t COMPREPLY < <(compgen -W 'deployment statefulset daemonset' -- "$cur")
		return
		;;
	-f | --file | --env-file | --ignore-file | --engine-path)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	-o | --output | --project-directory)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	-p | --project-name | --profile | --podman-version | --docker-version | --namespace | \
		--wait-image | --kubectl-image | --pvc-size)
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_composec_options" -- "$cur")
	elif [[ -z $sub ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_composec_commands" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -X '!*.yaml' -- "$cur"; compgen -f -X '!*.yml' -- "$cur"; compgen -d -- "$cur")
	fi
}

_composec_run()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} i nargs=0
	COMPREPLY=()
	case $prev in
	--state-dir)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	-j | --jobs) return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W '-d --detach --build --force-recreate -v --volumes -j --jobs
--state-dir -h --help --version' -- "$cur")
		return
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--state-dir | -j | --jobs) ((i++)) ;;
		-*) ;;
		*) ((nargs++)) ;;
		esac
	done
	if ((nargs == 0)); then
		mapfile -t COMPREPLY < <(compgen -f -X '!*.json' -- "$cur"; compgen -d -- "$cur")
	elif ((nargs == 1)); then
		mapfile -t COMPREPLY < <(compgen -W 'up down ps' -- "$cur")
	fi
}

complete -F _composec composec compose2systemd compose2quadlet compose2k8s compose2sh
complete -F _composec_run composec-run

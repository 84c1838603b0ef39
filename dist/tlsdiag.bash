# bash completion for tlsdiag(1): the commands, their options, and the
# values of the options that take one of a few.
_tlsdiag() {
    local cur prev cmd i
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W 'check explain logs help --help --version' -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}
    case "$cmd" in
        help)
            [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W 'check explain logs' -- "$cur"))
            return
            ;;
        check)
            case "$prev" in
                --ca-file|--cert|--key)
                    COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
                --ca-path)
                    COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
                --clients)
                    COMPREPLY=($(compgen -W 'modern intermediate old' -- "$cur")); return ;;
                --client)
                    # the profile ids, first column of `tlsdiag check --client list`
                    COMPREPLY=($(compgen -W "list $("${COMP_WORDS[0]}" check --client list 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
                    return ;;
                --sni|--alpn|--repeat|--warn-days|--timeout|--deadline|--max-connections|--rate|--dns-server)
                    return ;;
            esac
            COMPREPLY=($(compgen -W '--sni --no-sni --ca-file --ca-path --cert --key --alpn --repeat
                --warn-days --show-certs --no-aia --client --clients -v --verbose --json --no-color
                --timeout --deadline --max-connections --rate --dns-server -h --help' -- "$cur"))
            ;;
        explain)
            case "$prev" in
                --ca-file) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W '--check --ca-file --json --no-color -h --help' -- "$cur"))
                return
            fi
            # the code kinds, as the first word after the options
            for ((i = 2; i < COMP_CWORD; i++)); do
                [[ ${COMP_WORDS[i]} == -* || ${COMP_WORDS[i-1]} == --ca-file ]] || return
            done
            COMPREPLY=($(compgen -W 'alert x509 openssl curl' -- "$cur"))
            ;;
        logs)
            case "$prev" in
                --since|--interval) return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W '--since --follow --interval --json --no-color -h --help' -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null
            fi
            ;;
    esac
}
complete -F _tlsdiag tlsdiag

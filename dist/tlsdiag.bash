# bash completion for tlsdiag(1): the commands, their options, and the
# values of the options that take one of a few.
# _tlsdiag_reply COMPGEN-ARGS...: the candidates for the current word.
_tlsdiag_reply() {
    mapfile -t COMPREPLY < <(compgen "$@" -- "$cur")
}

_tlsdiag() {
    local cur prev cmd i
    local starttls='smtp lmtp imap pop3 ftp xmpp xmpp-server ldap postgres postgres-direct mysql nntp sieve irc'
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        _tlsdiag_reply -W 'check explain logs pcap diff lint scan merge help --help --version'
        return
    fi
    cmd=${COMP_WORDS[1]}
    case "$cmd" in
        help)
            [ "$COMP_CWORD" -eq 2 ] && _tlsdiag_reply -W 'check explain logs pcap diff lint scan merge'
            return
            ;;
        check)
            case "$prev" in
                --ca-file|--cert|--key)
                    _tlsdiag_reply -f; compopt -o filenames 2>/dev/null; return ;;
                --ca-path)
                    _tlsdiag_reply -d; compopt -o filenames 2>/dev/null; return ;;
                --clients)
                    _tlsdiag_reply -W 'modern intermediate old'; return ;;
                --starttls)
                    _tlsdiag_reply -W "$starttls"; return ;;
                --format)
                    _tlsdiag_reply -W 'text json html'; return ;;
                --html|--db|--proxy-cacert)
                    _tlsdiag_reply -f; compopt -o filenames 2>/dev/null; return ;;
                --client)
                    # the profile ids, first column of `tlsdiag check --client list`
                    _tlsdiag_reply -W "list $("${COMP_WORDS[0]}" check --client list 2>/dev/null | cut -d' ' -f1)"
                    return ;;
                --sni|--alpn|--repeat|--warn-days|--timeout|--deadline|--max-connections|--rate|--dns-server|--proxy|--expect-issuer|--pin)
                    return ;;
            esac
            _tlsdiag_reply -W '--sni --no-sni --ca-file --ca-path --cert --key --alpn --starttls --repeat
                --warn-days --show-certs --no-aia --client --clients -v --verbose --json --format --html --no-color
                --timeout --deadline --max-connections --rate --dns-server --db --proxy --proxy-env --proxy-cacert --proxy-insecure --expect-issuer --pin
                -h --help'
            ;;
        explain)
            case "$prev" in
                --ca-file) _tlsdiag_reply -f; compopt -o filenames 2>/dev/null; return ;;
            esac
            if [[ $cur == -* ]]; then
                _tlsdiag_reply -W '--check --ca-file --json --no-color -h --help'
                return
            fi
            # the code kinds, as the first word after the options
            for ((i = 2; i < COMP_CWORD; i++)); do
                [[ ${COMP_WORDS[i]} == -* || ${COMP_WORDS[i-1]} == --ca-file ]] || return
            done
            _tlsdiag_reply -W 'alert x509 openssl curl'
            ;;
        logs)
            case "$prev" in
                --since|--interval) return ;;
            esac
            if [[ $cur == -* ]]; then
                _tlsdiag_reply -W '--since --follow --interval --json --no-color -h --help'
            else
                _tlsdiag_reply -f; compopt -o filenames 2>/dev/null
            fi
            ;;
        pcap)
            case "$prev" in
                --port|--host|--stream|--replay) return ;;
                --keylog|--html) _tlsdiag_reply -f; compopt -o filenames 2>/dev/null; return ;;
                --format) _tlsdiag_reply -W 'text json html'; return ;;
            esac
            if [[ $cur == -* ]]; then
                _tlsdiag_reply -W '--port --host --stream --keylog --replay --json --format --html -v --verbose -h --help'
            else
                _tlsdiag_reply -f; compopt -o filenames 2>/dev/null
            fi
            ;;
        diff)
            case "$prev" in
                --db) _tlsdiag_reply -f; compopt -o filenames 2>/dev/null; return ;;
                --since|--warn-days) return ;;
            esac
            _tlsdiag_reply -W '--db --since --warn-days --json -h --help'
            ;;
        lint)
            case "$prev" in
                --ca-file) _tlsdiag_reply -f; compopt -o filenames 2>/dev/null; return ;;
                --ca-path) _tlsdiag_reply -d; compopt -o filenames 2>/dev/null; return ;;
                --server) _tlsdiag_reply -W 'nginx apache haproxy'; return ;;
                --profile) _tlsdiag_reply -W 'modern intermediate old'; return ;;
            esac
            if [[ $cur == -* ]]; then
                _tlsdiag_reply -W '--server --profile --live --diff --ca-file --ca-path --json --no-color -h --help'
            else
                _tlsdiag_reply -f; compopt -o filenames 2>/dev/null
            fi
            ;;
        scan|merge)
            case "$prev" in
                --profile) _tlsdiag_reply -W 'quick full'; return ;;
                --starttls) _tlsdiag_reply -W "$starttls"; return ;;
                --format) _tlsdiag_reply -W 'text json html'; return ;;
                --db|--html) _tlsdiag_reply -f; compopt -o filenames 2>/dev/null; return ;;
                --concurrency|--per-ip|--rate|--shard|--shards|--deadline|--sni|--alpn|--repeat|--warn-days|--client|--clients|--timeout|--max-connections|--dns-server) return ;;
            esac
            if [[ $cur == -* ]]; then
                _tlsdiag_reply -W '--json --format --html --profile --concurrency --per-ip --rate --state --shard --shards --db --deadline --sni --no-sni --ca-file --ca-path --cert --key --alpn --starttls --repeat --warn-days --no-aia --client --clients --timeout --max-connections --dns-server --help -h'
            else
                _tlsdiag_reply -f; compopt -o filenames 2>/dev/null
            fi
            ;;
    esac
}
complete -F _tlsdiag tlsdiag

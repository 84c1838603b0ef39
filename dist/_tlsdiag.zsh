#compdef tlsdiag
# zsh completion for tlsdiag(1).

_tlsdiag_clients() {
    local -a ids
    ids=(list ${(f)"$(_call_program profiles ${words[1]} check --client list 2>/dev/null | cut -d' ' -f1)"})
    _describe -t profiles 'client profile' ids
}

_tlsdiag_starttls() {
    local -a protocols
    protocols=(smtp lmtp imap pop3 ftp xmpp xmpp-server ldap postgres postgres-direct mysql nntp sieve irc)
    _describe -t protocols 'STARTTLS protocol' protocols
}

_tlsdiag() {
    local curcontext=$curcontext state line
    _arguments -C \
        '(- :)--help[describe the commands]' \
        '(- :)--version[print the version]' \
        '1:command:((check\:"probe a server and explain what fails" explain\:"explain an error message or log excerpt" logs\:"summarise the failed handshakes in server logs" pcap\:"diagnose the TLS handshakes in a packet capture" diff\:"what changed between the runs of a history database" lint\:"say what will fail in an nginx, Apache httpd or HAProxy configuration" scan\:"check every target of a list" merge\:"join the parts of a scan" help\:"the options of a command"))' \
        '*::arg:->args' && return
    case $words[1] in
        check)
            _arguments \
                '(--no-sni)--sni[send NAME as the server name]:name:_hosts' \
                '(--sni)--no-sni[send no server name]' \
                '--ca-file[trust the CA certificates in FILE]:file:_files' \
                '--ca-path[trust the CA certificates in DIR]:directory:_files -/' \
                '--cert[client certificate (PEM)]:file:_files' \
                '--key[private key of the client certificate]:file:_files' \
                '--alpn[ALPN protocols to offer]:protocols:' \
                '--starttls[upgrade each connection to TLS the protocol'"'"'s way first]:protocol:_tlsdiag_starttls' \
                '--repeat[handshakes to the first address]:count:' \
                '--warn-days[warn when a certificate expires within N days]:days:' \
                '--show-certs[print each certificate sent in PEM]' \
                '--no-aia[never download a missing issuer certificate]' \
                '*--client[judge from this client only]:profile:_tlsdiag_clients' \
                '--clients[the clients the server is meant to serve]:level:(modern intermediate old)' \
                '(-v --verbose)'{-v,--verbose}'[the long report]' \
                '--json[print one JSON document]' \
                '--format[the report on standard output]:format:(text json html)' \
                '--html[also write the HTML report to FILE]:file:_files' \
                '--no-color[no colours]' \
                '--timeout[wait per step]:seconds:' \
                '--deadline[time for the whole check]:seconds:' \
                '--max-connections[connections at once]:count:' \
                '--rate[new connections a second at most]:rate:' \
                '--dns-server[ask this DNS server]:address:' \
                '--db[also record the check in this history database]:database (sqlite\:PATH, PATH, postgresql\://...):_files' \
                '(--proxy-env)--proxy[every connection through this proxy]:url:' \
                '(--proxy)--proxy-env[the proxy from https_proxy, all_proxy and no_proxy]' \
                '(--proxy-insecure)--proxy-cacert[CA certificates for an https proxy]:PEM file:_files' \
                '(--proxy-cacert)--proxy-insecure[do not check an https proxy'"'"'s certificate]' \
                '--expect-issuer[the CA the certificate must come from]:name:' \
                '*--pin[SPKI pin the leaf must match (sha256//BASE64)]:pin:' \
                '(- :)'{-h,--help}'[describe the options]' \
                ':target (HOST[\:PORT]):_hosts'
            ;;
        explain)
            _arguments \
                '--check[run the deciding check]' \
                '--ca-file[with --check: trust these CA certificates]:file:_files' \
                '--json[print one JSON document]' \
                '--no-color[no colours]' \
                '(- :)'{-h,--help}'[describe the options]' \
                '1:text or code kind:(alert x509 openssl curl)' \
                '*:text:'
            ;;
        logs)
            _arguments \
                '--since[only what was logged from WHEN on]:when:' \
                '--follow[keep reading the file as it grows]' \
                '--interval[with --follow: seconds between summaries]:seconds:' \
                '--json[print one JSON document]' \
                '--no-color[no colours]' \
                '(- :)'{-h,--help}'[describe the options]' \
                '*:log file:_files'
            ;;
        pcap)
            _arguments \
                '--port[only connections with this port]:port:' \
                '--host[only connections with this address]:address:' \
                '--stream[only the N-th TCP connection]:number:' \
                '--keylog[session keys the clients logged (SSLKEYLOGFILE)]:key log file:_files' \
                '--replay[send the captured hello to HOST:PORT and name what it rejects]:host\:port:' \
                '--json[JSON lines: one object per connection, then a summary]' \
                '--format[the report on standard output]:format:(text json html)' \
                '--html[also write the HTML report to FILE]:file:_files' \
                '(-v --verbose)'{-v,--verbose}'[every connection and every finding]' \
                '(- :)'{-h,--help}'[describe the options]' \
                ':capture file (- for standard input):_files'
            ;;
        diff)
            _arguments \
                '--db[the history database]:database (sqlite\:PATH, PATH, postgresql\://...):_files' \
                '--since[compare with this run, or the last run at or before this time]:run or time:' \
                '--warn-days[list certificates that end within N days]:days:' \
                '--json[print one JSON document]' \
                '(- :)'{-h,--help}'[describe the options]'
            ;;
        lint)
            _arguments \
                '--server[the server software]:kind:(nginx apache haproxy)' \
                '--profile[compare with a Mozilla profile]:level:(modern intermediate old)' \
                '--live=-[check each listener, at HOST or its address]::host:_hosts' \
                '(--json)--diff[print the edits as a unified diff]' \
                '--ca-file[trust the CA certificates in FILE]:file:_files' \
                '--ca-path[trust the CA certificates in DIR]:directory:_files -/' \
                '(--diff)--json[print one JSON document]' \
                '--no-color[no colours]' \
                '(- :)'{-h,--help}'[describe the options]' \
                ':main configuration file (- for nginx -T output):_files'
            ;;
        scan|merge)
            _arguments \
                '--json[see tlsdiag help scan]' \
                '--format[the report on standard output]:format:(text json html)' \
                '--html[also write the HTML page of the scan to FILE]:file:_files' \
                '--profile[see tlsdiag help scan]:value:' \
                '--concurrency[see tlsdiag help scan]:value:' \
                '--per-ip[see tlsdiag help scan]:value:' \
                '--rate[see tlsdiag help scan]:value:' \
                '--state[see tlsdiag help scan]:value:' \
                '--shard[see tlsdiag help scan]:value:' \
                '--shards[see tlsdiag help scan]:value:' \
                '--db[also keep the scan in this history database]:database (sqlite\:PATH, PATH, postgresql\://...):_files' \
                '--deadline[see tlsdiag help scan]:value:' \
                '--sni[see tlsdiag help scan]:value:' \
                '--no-sni[see tlsdiag help scan]' \
                '--ca-file[see tlsdiag help scan]:value:' \
                '--ca-path[see tlsdiag help scan]:value:' \
                '--cert[see tlsdiag help scan]:value:' \
                '--key[see tlsdiag help scan]:value:' \
                '--alpn[see tlsdiag help scan]:value:' \
                '--starttls[the upgrade of every target whose line names none]:protocol:_tlsdiag_starttls' \
                '--repeat[see tlsdiag help scan]:value:' \
                '--warn-days[see tlsdiag help scan]:value:' \
                '--no-aia[see tlsdiag help scan]' \
                '--client[see tlsdiag help scan]:value:' \
                '--clients[see tlsdiag help scan]:value:' \
                '--timeout[see tlsdiag help scan]:value:' \
                '--max-connections[see tlsdiag help scan]:value:' \
                '--dns-server[see tlsdiag help scan]:value:' \
                '(- :)'{-h,--help}'[describe the options]' \
                '*:target list or part:_files'
            ;;
        help)
            _arguments '1:command:(check explain logs pcap diff lint scan merge)'
            ;;
    esac
}

_tlsdiag "$@"

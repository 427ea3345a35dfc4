//! Which proxy a request goes through, as Go's `http.ProxyFromEnvironment` decides it
//! (golang.org/x/net/http/httpproxy) — the rule the Vault and Nomad CLIs follow, so nvctl
//! reaches a server the way the operator's other tools do:
//!
//! - `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http URLs (the lower-case names when the
//!   upper-case ones are unset or empty); a proxy without a scheme is `http://`;
//! - never for `localhost` or a loopback address;
//! - not for hosts `NO_PROXY` names: comma-separated, trimmed, case-insensitive; `*` matches
//!   everything; an IP address (`ip:port`, `[v6]:port`) or CIDR range matches IP hosts;
//!   `example.com` matches it and its subdomains, `.example.com` and `*.example.com` only its
//!   subdomains; an entry with `:port` only that port.
//!
//! ureq reaches every target through a proxy by tunnelling (`CONNECT host:port`), http://
//! ones too, where Go would forward the request: a proxy that allows CONNECT only to port 443
//! (Squid's default) refuses an `http://…:8200` Vault — name it in `NO_PROXY`.
//!
//! A single proxy for every scheme (as `ALL_PROXY` elsewhere) would send a token meant for an
//! `http://` Vault in clear to an HTTPS proxy: not done.

use std::net::IpAddr;

use url::Url;

/// The proxy URL for `url`, from the environment.
pub fn for_url(url: &Url) -> Option<String> {
    choose(url, &|name| std::env::var(name).ok())
}

/// How to name a proxy in a message: its URL without credentials, and the variable it came
/// from.
pub fn shown(proxy: &str, target: &Url) -> String {
    let variable = if target.scheme() == "https" {
        "HTTPS_PROXY"
    } else {
        "HTTP_PROXY"
    };
    format!(
        "the proxy {} ({variable})",
        crate::vault::strip_userinfo(proxy).trim_end_matches('/')
    )
}

fn choose(url: &Url, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let var = |upper: &str| {
        env(upper)
            .filter(|v| !v.trim().is_empty())
            .or_else(|| env(&upper.to_ascii_lowercase()))
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().to_string())
    };
    let proxy = match url.scheme() {
        "https" => var("HTTPS_PROXY"),
        "http" => var("HTTP_PROXY"),
        _ => None,
    }?;
    let host = url
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(0);
    if is_local(host) || var("NO_PROXY").is_some_and(|list| excluded(&list, host, port)) {
        return None;
    }
    Some(if proxy.contains("://") {
        proxy
    } else {
        format!("http://{proxy}")
    })
}

fn is_local(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn excluded(no_proxy: &str, host: &str, port: u16) -> bool {
    let host = host.to_ascii_lowercase();
    let ip = host.parse::<IpAddr>().ok();
    no_proxy
        .split(',')
        .map(|entry| entry.trim().to_ascii_lowercase())
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let (name, entry_port) = split_port(&entry);
            if entry_port.is_some_and(|p| p != port) {
                return false;
            }
            if let Some(ip) = ip {
                return matches_ip(name, ip);
            }
            // `*.example.com` is `.example.com` (Go strips the `*`).
            let name = name.strip_prefix('*').unwrap_or(name);
            match name.strip_prefix('.') {
                Some(suffix) => host.ends_with(&format!(".{suffix}")),
                None => host == name || host.ends_with(&format!(".{name}")),
            }
        })
}

/// `host:port` or `[v6]:port` → (`host`, port); a bare IPv6 address, a CIDR range or a name
/// without a port → (it, None).
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((v6, tail)) = rest.split_once(']') {
            return (v6, tail.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match entry.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => match port.parse() {
            Ok(port) => (name, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

fn matches_ip(entry: &str, ip: IpAddr) -> bool {
    match entry.split_once('/') {
        Some((network, bits)) => {
            let (Ok(network), Ok(bits)) = (network.parse::<IpAddr>(), bits.parse::<u32>()) else {
                return false;
            };
            in_range(ip, network, bits)
        }
        None => entry.parse::<IpAddr>().is_ok_and(|e| e == ip),
    }
}

fn in_range(ip: IpAddr, network: IpAddr, bits: u32) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)], url: &str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        choose(&Url::parse(url).unwrap(), &env)
    }

    #[test]
    fn a_proxy_is_named_without_its_credentials() {
        let target = Url::parse("http://10.0.0.7:8200").unwrap();
        assert_eq!(
            shown("http://user:pa55@proxy.corp:3128", &target),
            "the proxy http://proxy.corp:3128 (HTTP_PROXY)"
        );
    }

    #[test]
    fn each_scheme_takes_its_own_proxy_and_never_the_others() {
        let https_only = [("HTTPS_PROXY", "proxy.corp:3128")];
        assert_eq!(
            with(&https_only, "https://vault.corp:8200").as_deref(),
            Some("http://proxy.corp:3128")
        );
        // A token for an http:// Vault must not go in clear to the HTTPS proxy.
        assert_eq!(with(&https_only, "http://10.0.0.7:8200"), None);
        assert_eq!(
            with(&[("http_proxy", "http://p:8080")], "http://10.0.0.7:8200").as_deref(),
            Some("http://p:8080")
        );
    }

    #[test]
    fn loopback_and_no_proxy_entries_go_direct_as_go_decides() {
        let base = [
            ("HTTPS_PROXY", "http://p:3128"),
            (
                "NO_PROXY",
                " .internal , example.com, 10.0.0.0/8, 192.168.1.5, vault.lab:8200, *.corp.example, 192.0.2.2:9204, [2001:db8::1]:8200",
            ),
        ];
        for direct in [
            "https://127.0.0.1:8200",
            "https://localhost:8200",
            "https://[::1]:8200",
            "https://vault.internal:8200",
            "https://example.com",
            "https://vault.example.com",
            "https://10.1.2.3:8200",
            "https://192.168.1.5:8200",
            "https://vault.lab:8200",
            "https://vault.corp.example:8200",
            "https://192.0.2.2:9204",
            "https://[2001:db8::1]:8200",
        ] {
            assert_eq!(with(&base, direct), None, "{direct}");
        }
        for proxied in [
            "https://internal:8200",
            "https://notexample.com",
            "https://11.0.0.1:8200",
            "https://vault.lab:8201",
            "https://192.0.2.2:9205",
            "https://[2001:db8::1]:8201",
        ] {
            assert!(with(&base, proxied).is_some(), "{proxied}");
        }
        assert_eq!(
            with(
                &[("HTTPS_PROXY", "http://p:3128"), ("no_proxy", "*")],
                "https://anything"
            ),
            None
        );
    }
}

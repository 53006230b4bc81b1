//! Helm's value checks, re-implemented: the loose SemVer of `Masterminds/semver` that Helm
//! uses for chart versions, the strict SemVer 2.0 check of `helm lint` (Helm 4), and the
//! `govalidator` e-mail and URL checks of the Chart.yaml lint rules.

/// A chart version as `Masterminds/semver` `NewVersion` reads it: an optional lowercase `v`,
/// one to three dot-separated unsigned 64-bit numbers (leading zeros allowed), then an optional
/// pre-release (identifiers of `[0-9A-Za-z-]`, numeric ones without leading zeros) and build
/// metadata (identifiers of `[0-9A-Za-z-]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LooseVersion {
    pub(crate) major: u64,
    pub(crate) minor: u64,
    pub(crate) patch: u64,
    pub(crate) pre: Vec<String>,
    pub(crate) build: Option<String>,
}

impl LooseVersion {
    /// Parses like `semver.NewVersion`; `None` when Helm reports "is not a valid SemVer".
    pub(crate) fn parse(s: &str) -> Option<LooseVersion> {
        let body = s.strip_prefix('v').unwrap_or(s);
        let (body, build) = match body.split_once('+') {
            Some((b, meta)) => (b, Some(meta)),
            None => (body, None),
        };
        let (core, pre) = match body.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (body, None),
        };
        let numbers: Vec<&str> = core.split('.').collect();
        if numbers.is_empty() || numbers.len() > 3 {
            return None;
        }
        let mut parsed = [0u64; 3];
        for (slot, n) in parsed.iter_mut().zip(&numbers) {
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            *slot = n.parse().ok()?;
        }
        let ident_ok =
            |i: &str| !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let pre: Vec<String> = match pre {
            None => Vec::new(),
            Some(p) => {
                let mut out = Vec::new();
                for ident in p.split('.') {
                    if !ident_ok(ident) {
                        return None;
                    }
                    if ident.bytes().all(|b| b.is_ascii_digit())
                        && ident.len() > 1
                        && ident.starts_with('0')
                    {
                        return None;
                    }
                    out.push(ident.to_string());
                }
                out
            }
        };
        if let Some(meta) = build
            && !meta.split('.').all(ident_ok)
        {
            return None;
        }
        Some(LooseVersion {
            major: parsed[0],
            minor: parsed[1],
            patch: parsed[2],
            pre,
            build: build.map(str::to_string),
        })
    }

    /// Whether the version is above `0.0.0-0`, the lowest version there is (Helm's lint
    /// constraint `>0.0.0-0`): everything but `0.0.0-0` itself, build metadata ignored.
    pub(crate) fn is_above_lowest(&self) -> bool {
        !(self.major == 0 && self.minor == 0 && self.patch == 0 && self.pre == ["0"])
    }

    /// The normalised form Helm prints (`v` and missing parts filled in).
    pub(crate) fn normalized(&self) -> String {
        let mut out = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            out.push('-');
            out.push_str(&self.pre.join("."));
        }
        if let Some(build) = &self.build {
            out.push('+');
            out.push_str(build);
        }
        out
    }
}

/// Strict SemVer 2.0 (`semver.StrictNewVersion`): no `v`, three parts, no leading zeros.
pub(crate) fn is_strict_semver(s: &str) -> bool {
    semver::Version::parse(s).is_ok()
}

/// Go's `filepath.Base` on a slash-separated path.
pub(crate) fn filepath_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// A dependency alias: `^[a-zA-Z0-9_-]+$`.
pub(crate) fn is_valid_alias(alias: &str) -> bool {
    !alias.is_empty()
        && alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Non-ASCII ranges govalidator treats like letters in e-mail addresses.
fn is_email_unicode(c: char) -> bool {
    matches!(c, '\u{00A0}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFEF}')
}

/// govalidator's `IsEmail`: a dot-atom or quoted local part, `@`, and a domain of at least two
/// labels whose last label starts and ends with a letter.
pub(crate) fn is_email(s: &str) -> bool {
    let Some(at) = s.rfind('@') else {
        return false;
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    local_part_ok(local) && domain_ok(domain)
}

fn local_part_ok(local: &str) -> bool {
    if let Some(inner) = local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if chars.next().is_none() {
                        return false;
                    }
                }
                '"' => return false,
                c if c.is_ascii() && (c as u32) < 0x80 => {}
                c if is_email_unicode(c) => {}
                _ => return false,
            }
        }
        return true;
    }
    let atext = |c: char| {
        c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || is_email_unicode(c)
    };
    !local.is_empty()
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atext))
}

fn domain_ok(domain: &str) -> bool {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    let inner = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c) || is_email_unicode(c);
    let label_ok = |l: &str, edge: &dyn Fn(char) -> bool| {
        let (Some(first), Some(last)) = (l.chars().next(), l.chars().last()) else {
            return false;
        };
        edge(first) && edge(last) && l.chars().all(inner)
    };
    let alnum = |c: char| c.is_ascii_alphanumeric() || is_email_unicode(c);
    let alpha = |c: char| c.is_ascii_alphabetic() || is_email_unicode(c);
    domain
        .char_indices()
        .filter(|(_, c)| *c == '.')
        .any(|(i, _)| label_ok(&domain[..i], &alnum) && label_ok(&domain[i + 1..], &alpha))
}

/// Whether `%` escapes are well-formed (`%` followed by two hex digits).
fn escapes_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() {
                return false;
            }
            if !(b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// Go's URL scheme: a letter, then letters, digits, `+`, `-`, `.`; `None` when the text has
/// no scheme, `Some(Err)` when it starts with `:`.
fn split_scheme(s: &str) -> Option<Result<(&str, &str), ()>> {
    for (i, c) in s.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return Some(Err(())),
            ':' => return Some(Ok((&s[..i], &s[i + 1..]))),
            _ => return None,
        }
    }
    None
}

/// Go's `url.parseAuthority` checks: userinfo characters, an IPv6 literal or host characters,
/// a numeric port.
fn authority_ok(authority: &str) -> bool {
    let (userinfo, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    if let Some(u) = userinfo
        && !(u.chars().all(|c| {
            c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c) || !c.is_ascii()
        }) && escapes_ok(u))
    {
        return false;
    }
    let port_ok = |p: &str| p.is_empty() || p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = host.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return false;
        };
        let after = &rest[end + 1..];
        return after.is_empty() || after.strip_prefix(':').is_some_and(port_ok);
    }
    let (name, port) = match host.rfind(':') {
        Some(i) => (&host[..i], Some(&host[i + 1..])),
        None => (host, None),
    };
    if port.is_some_and(|p| !port_ok(p)) {
        return false;
    }
    name.chars().all(|c| {
        !c.is_ascii() || c.is_ascii_alphanumeric() || "!$&'()*+,;=:[]<>\"-._~%".contains(c)
    }) && escapes_ok(name)
}

/// govalidator's `IsRequestURL`: Go's `url.ParseRequestURI` accepts the text and it has a
/// scheme (`https://...`, `data:...`, `file://...`); a bare host or path is refused.
pub(crate) fn is_request_url(s: &str) -> bool {
    if s.is_empty() || s.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return false;
    }
    let Some(Ok((scheme, rest))) = split_scheme(s) else {
        return false;
    };
    if scheme.is_empty() {
        return false;
    }
    let rest = match rest.split_once('?') {
        Some((before, _)) => before,
        None => rest,
    };
    if !rest.starts_with('/') {
        return true;
    }
    if let Some(after) = rest.strip_prefix("//") {
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        return authority_ok(authority) && escapes_ok(path);
    }
    escapes_ok(rest)
}

/// govalidator's `IsURL` (maintainer `url`), approximated: an optional `http`, `https`, `ftp`,
/// `tcp`, `udp`, `ws` or `wss` scheme with `://`, optional user info, a host name (labels of
/// letters, digits, `-` and `_`), an IPv4 or bracketed IPv6 address, an optional port, and a
/// path, query or fragment without white space. A bare word without a dot (`nope`) is refused.
pub(crate) fn is_url(s: &str) -> bool {
    let runes = s.chars().count();
    if s.is_empty() || runes >= 2083 || s.len() <= 3 || s.starts_with('.') {
        return false;
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    // Without any `:`, Go parses the whole text as a path, and govalidator wants a `.` in it.
    if !s.contains(':') && !s[..s.find(['?', '#']).unwrap_or(s.len())].contains('.') {
        return false;
    }
    let mut rest = s;
    if let Some(i) = s.find("://") {
        let scheme = &s[..i];
        if !["http", "https", "ftp", "tcp", "udp", "ws", "wss"].contains(&scheme) {
            return false;
        }
        rest = &s[i + 3..];
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if !escapes_ok(path) {
        return false;
    }
    let host_port = match authority.rfind('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    let (host, port) = if host_port.starts_with('[') {
        match host_port.find(']') {
            Some(i) => (&host_port[..=i], &host_port[i + 1..]),
            None => return false,
        }
    } else {
        match host_port.rfind(':') {
            Some(i) => (&host_port[..i], &host_port[i..]),
            None => (host_port, ""),
        }
    };
    if !port.is_empty() {
        let digits = port.strip_prefix(':').unwrap_or("x");
        if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    if host.starts_with('.') {
        return false;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !v6.is_empty()
            && v6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return false;
    }
    let label_char =
        |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || (c as u32) >= 0xA1;
    let edge = |c: char| c.is_ascii_alphanumeric() || (c as u32) >= 0xA1;
    host.split('.').all(|label| {
        let (Some(first), Some(last)) = (label.chars().next(), label.chars().last()) else {
            return false;
        };
        edge(first) && edge(last) && label.chars().all(label_char)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_versions_follow_masterminds() {
        let ok = [
            "1.0.0",
            "v1.0.0",
            "1.0",
            "1",
            "01.0.0",
            "1.01.0",
            "1.0.0-0",
            "0.0.0",
            "1.0.0+01",
            "v1",
            "1.0.0-0a",
            "1.0.0-rc.1-2",
            "18446744073709551615.0.0",
            "1.0.0-rc.1+b.2",
        ];
        for v in ok {
            assert!(LooseVersion::parse(v).is_some(), "{v} should parse");
        }
        let bad = [
            "",
            "1.0.0-01",
            "1.0.0-",
            "1.2.3.4",
            "1.0.0 ",
            "V1.0.0",
            "1.0.0-a..b",
            "1.0.0+",
            "1.0.0-a_b",
            "1.0.0-a.01",
            "18446744073709551616.0.0",
            "1.0.0+a..b",
            "waps",
            "-3",
            "1..0",
            "1.0.",
            "vv1",
        ];
        for v in bad {
            assert!(LooseVersion::parse(v).is_none(), "{v} should not parse");
        }
        let lowest = LooseVersion::parse("v0.0.0-0+build").map(|v| v.is_above_lowest());
        assert_eq!(lowest, Some(false));
        assert_eq!(
            LooseVersion::parse("0.0.0-0.0").map(|v| v.is_above_lowest()),
            Some(true)
        );
        assert_eq!(
            LooseVersion::parse("v1.2")
                .map(|v| v.normalized())
                .as_deref(),
            Some("1.2.0")
        );
    }

    #[test]
    fn emails_follow_govalidator() {
        for ok in [
            "john@winterfell.com",
            "a.b+c@x.y.io",
            "drone-delivery@example.com",
            "a@b.co.",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "nope",
            "a@localhost",
            "wrongFormatEmail.com",
            "@x.com",
            "a@.com",
            "a@x.1",
            "a..b@x.com",
            "",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn request_urls_follow_go() {
        for ok in [
            "https://riverrun.io",
            "http://riverrun.io/blackfish.png",
            "data:image/png;base64,AAAA",
            "file://icon.png",
            "https://x.io:8443/a?b=c",
        ] {
            assert!(is_request_url(ok), "{ok}");
        }
        for bad in [
            "",
            "RiverRun",
            "riverrun.io",
            "/icon.png",
            "john@winterfell",
            ":x",
            "https://x.io:abc/",
            "https://a b.io",
            "https://x.io/%zz",
        ] {
            assert!(!is_request_url(bad), "{bad}");
        }
    }

    #[test]
    fn urls_follow_govalidator() {
        for ok in [
            "https://x.io",
            "example.com",
            "http://localhost:8080/a",
            "mailto:a@b.com",
            "https://github.com/x/y",
        ] {
            assert!(is_url(ok), "{ok}");
        }
        for bad in [
            "nope",
            "",
            "abc",
            ".x.com",
            "git://x.com",
            "https://exa mple.com",
            "http://-x.com",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
    }

    #[test]
    fn base_and_alias() {
        assert_eq!(filepath_base("a/b"), "b");
        assert_eq!(filepath_base("a/"), "a");
        assert_eq!(filepath_base("/"), "/");
        assert_eq!(filepath_base(""), ".");
        assert!(is_valid_alias("sub_chart-1"));
        assert!(!is_valid_alias("a.b"));
    }
}

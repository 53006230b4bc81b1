//! "Did you mean ...?" suggestions for near-miss names.
//!
//! Uses the optimal-string-alignment distance (Damerau–Levenshtein with adjacent transpositions),
//! case-insensitively, so `delivry`, `Delivery` and `deilvery` all point at `delivery`.

/// The candidate closest to `input`, if it is close enough to be a plausible typo: at most one
/// edit for names up to 4 characters, two up to 8, three beyond. Ties go to the first candidate.
pub(crate) fn closest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let input_lower = input.to_lowercase();
    let limit = match input.chars().count() {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    let input_len = input_lower.chars().count();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        // The distance is at least the difference in length: skip the quadratic comparison
        // for candidates that cannot be close.
        if candidate.chars().count().abs_diff(input_len) > limit {
            continue;
        }
        let distance = osa_distance(&input_lower, &candidate.to_lowercase());
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance between two strings, by characters.
pub(crate) fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = v;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(osa_distance("release", "relase"), 1);
        assert_eq!(osa_distance("delivery", "deilvery"), 1);
        assert_eq!(osa_distance("", "abc"), 3);
        assert_eq!(osa_distance("abc", "abc"), 0);
    }

    #[test]
    fn closest_picks_plausible_typos_only() {
        let names = [
            "delivery",
            "dronescheduler",
            "ingestion",
            "package",
            "workflow",
        ];
        assert_eq!(closest("delivry", names), Some("delivery"));
        assert_eq!(closest("Delivery", names), Some("delivery"));
        assert_eq!(closest("packages", names), Some("package"));
        assert_eq!(closest("shipping", names), None);
    }
}

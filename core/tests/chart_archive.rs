//! Hostile chart archives, built here with raw tar headers, against the loader.
#![allow(clippy::unwrap_used)]

use flate2::Compression;
use flate2::write::GzEncoder;
use shiprail::chart::{ArchiveLimits, ChartArchive};
use std::io::Write;

const CHART: &[u8] = b"apiVersion: v2\nname: c\nversion: 1.0.0\n";

/// One raw entry: a name written byte for byte into the header, a type and data.
struct Raw<'a> {
    name: &'a [u8],
    kind: tar::EntryType,
    data: &'a [u8],
    link: &'a [u8],
}

fn file<'a>(name: &'a str, data: &'a [u8]) -> Raw<'a> {
    Raw {
        name: name.as_bytes(),
        kind: tar::EntryType::Regular,
        data,
        link: b"",
    }
}

fn of_kind<'a>(name: &'a str, kind: tar::EntryType, link: &'a str) -> Raw<'a> {
    Raw {
        name: name.as_bytes(),
        kind,
        data: b"",
        link: link.as_bytes(),
    }
}

fn header(name: &[u8], kind: tar::EntryType, size: u64, link: &[u8]) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    {
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        old.linkname[..link.len()].copy_from_slice(link);
    }
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_cksum();
    h
}

fn tar_of(entries: &[Raw<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let h = header(e.name, e.kind, e.data.len() as u64, e.link);
        b.append(&h, e.data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn load(entries: &[Raw<'_>]) -> Result<ChartArchive, shiprail::Error> {
    ChartArchive::read(gz(&tar_of(entries)).as_slice(), &ArchiveLimits::default())
}

fn refused(entries: &[Raw<'_>]) -> String {
    let err = load(entries).unwrap_err();
    assert_eq!(err.code(), "unsafe_archive", "{err}");
    err.to_string()
}

#[test]
fn a_plain_chart_loads() {
    let archive = load(&[
        of_kind("c/", tar::EntryType::Directory, ""),
        file("c/Chart.yaml", CHART),
        file("c/templates/a.yaml", b"\xef\xbb\xbfkind: ConfigMap\n"),
    ])
    .unwrap();
    assert_eq!(archive.root(), "c");
    assert_eq!(archive.metadata().name, "c");
    assert_eq!(
        archive.file("templates/a.yaml"),
        Some(&b"kind: ConfigMap\n"[..])
    );
}

#[test]
fn path_escapes_are_refused() {
    let cases: &[(&str, &str)] = &[
        ("/etc/passwd", "has an absolute path"),
        ("c/../../evil", "refers to a parent directory"),
        ("../evil", "refers to a parent directory"),
        ("c\\..\\..\\evil", "refers to a parent directory"),
        ("C:/evil", "names a drive"),
        ("c/D:/evil", "names a drive"),
        ("c/E:evil", "names a drive"),
        (
            "Chart.yaml",
            "Chart.yaml is not inside the chart's directory",
        ),
        ("other/Chart.yaml", "outside the chart directory"),
        ("c", "a file where the chart directory belongs"),
    ];
    for (name, why) in cases {
        let message = refused(&[file("c/Chart.yaml", CHART), file(name, b"x")]);
        assert!(message.contains(why), "{name}: {message}");
    }
    let message = refused(&[
        of_kind("c/../../x/", tar::EntryType::Directory, ""),
        file("c/Chart.yaml", CHART),
    ]);
    assert!(message.contains("parent directory"), "{message}");
}

#[test]
fn links_devices_and_fifos_are_refused() {
    let cases = [
        (tar::EntryType::Symlink, "/etc/passwd", "a symbolic link"),
        (tar::EntryType::Link, "c/Chart.yaml", "a hard link"),
        (tar::EntryType::Char, "", "a device"),
        (tar::EntryType::Block, "", "a device"),
        (tar::EntryType::Fifo, "", "a fifo"),
        (tar::EntryType::new(b'Z'), "", "not a regular file"),
    ];
    for (kind, link, why) in cases {
        let message = refused(&[
            file("c/Chart.yaml", CHART),
            of_kind("c/templates/x.yaml", kind, link),
        ]);
        assert!(message.contains(why), "{kind:?}: {message}");
    }
}

#[test]
fn duplicates_and_bad_names_are_refused() {
    let message = refused(&[
        file("c/Chart.yaml", CHART),
        file("c/a", b"1"),
        file("c//a", b"2"),
    ]);
    assert_eq!(message, "entry `c//a` appears twice");
    let bad_utf8 = Raw {
        name: b"c/\xff.yaml",
        kind: tar::EntryType::Regular,
        data: b"x",
        link: b"",
    };
    assert!(refused(&[file("c/Chart.yaml", CHART), bad_utf8]).contains("not UTF-8"));
    assert!(
        refused(&[file("c/Chart.yaml", CHART), file("c/a\u{1b}[2J", b"x")])
            .contains("control character")
    );
}

#[test]
fn extension_headers_cannot_smuggle_paths() {
    // A PAX header whose `path` record escapes.
    let record = b"23 path=../../etc/evil\n";
    let mut raw = Vec::new();
    let mut b = tar::Builder::new(&mut raw);
    b.append(
        &header(
            b"c/Chart.yaml",
            tar::EntryType::Regular,
            CHART.len() as u64,
            b"",
        ),
        CHART,
    )
    .unwrap();
    b.append(
        &header(
            b"PaxHeader",
            tar::EntryType::XHeader,
            record.len() as u64,
            b"",
        ),
        &record[..],
    )
    .unwrap();
    b.append(
        &header(b"c/innocent", tar::EntryType::Regular, 1, b""),
        &b"x"[..],
    )
    .unwrap();
    b.finish().unwrap();
    drop(b);
    let err = ChartArchive::read(gz(&raw).as_slice(), &ArchiveLimits::default()).unwrap_err();
    assert_eq!(err.code(), "unsafe_archive", "{err}");
    // A GNU long name that escapes.
    let long = format!("c/{}/../../../../evil", "d/".repeat(60));
    let mut raw = Vec::new();
    let mut b = tar::Builder::new(&mut raw);
    b.append(
        &header(
            b"c/Chart.yaml",
            tar::EntryType::Regular,
            CHART.len() as u64,
            b"",
        ),
        CHART,
    )
    .unwrap();
    b.append(
        &header(
            b"././@LongLink",
            tar::EntryType::GNULongName,
            long.len() as u64 + 1,
            b"",
        ),
        format!("{long}\0").as_bytes(),
    )
    .unwrap();
    b.append(&header(b"c/x", tar::EntryType::Regular, 1, b""), &b"x"[..])
        .unwrap();
    b.finish().unwrap();
    drop(b);
    let err = ChartArchive::read(gz(&raw).as_slice(), &ArchiveLimits::default()).unwrap_err();
    assert!(err.to_string().contains("parent directory"), "{err}");
}

#[test]
fn size_limits_hold() {
    let small = ArchiveLimits {
        max_total_size: 64 * 1024,
        max_file_size: 16 * 1024,
        max_entries: 100,
        max_path_len: 256,
    };
    let big = vec![b'a'; 16 * 1024 + 1];
    let err = ChartArchive::read(
        gz(&tar_of(&[file("c/Chart.yaml", CHART), file("c/big", &big)])).as_slice(),
        &small,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "entry `c/big` is 16385 bytes, over the per-file limit of 16384"
    );
    let chunk = vec![b'a'; 15 * 1024];
    let names: Vec<String> = (0..6).map(|i| format!("c/f{i}")).collect();
    let mut entries = vec![file("c/Chart.yaml", CHART)];
    entries.extend(names.iter().map(|n| file(n, &chunk)));
    let err = ChartArchive::read(gz(&tar_of(&entries)).as_slice(), &small).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the archive's files hold more than 65536 bytes decompressed"
    );
    let long = format!("c/{}", "x".repeat(300));
    let err = ChartArchive::read(gz(&tar_of_long(&long)).as_slice(), &small).unwrap_err();
    assert!(err.to_string().contains("over the limit of 256"), "{err}");
}

fn tar_of_long(name: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(CHART.len() as u64);
    b.append_data(&mut h, "c/Chart.yaml", CHART).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(1);
    b.append_data(&mut h, name, &b"x"[..]).unwrap();
    b.into_inner().unwrap()
}

#[test]
fn decompression_bombs_stop_early() {
    // 64 MiB of zeros in one entry compresses to ~64 KiB; the per-file limit stops it from the
    // header, before any of it is read.
    let limits = ArchiveLimits {
        max_file_size: 1024 * 1024,
        ..ArchiveLimits::default()
    };
    let mut raw = tar::Builder::new(Vec::new());
    raw.append(
        &header(
            b"c/Chart.yaml",
            tar::EntryType::Regular,
            CHART.len() as u64,
            b"",
        ),
        CHART,
    )
    .unwrap();
    raw.append(
        &header(b"c/zeros", tar::EntryType::Regular, 64 * 1024 * 1024, b""),
        std::io::Read::take(std::io::repeat(0), 64 * 1024 * 1024),
    )
    .unwrap();
    let bytes = gz(&raw.into_inner().unwrap());
    assert!(bytes.len() < 1024 * 1024);
    let started = std::time::Instant::now();
    let err = ChartArchive::read(bytes.as_slice(), &limits).unwrap_err();
    assert_eq!(err.code(), "unsafe_archive");
    assert!(started.elapsed().as_secs() < 5);
    // A huge extension record is cut off by the stream budget.
    let tiny = ArchiveLimits {
        max_total_size: 4096,
        max_file_size: 4096,
        max_entries: 4,
        max_path_len: 128,
    };
    let mut raw = tar::Builder::new(Vec::new());
    let record = vec![b'a'; 512 * 1024];
    raw.append(
        &header(
            b"PaxHeader",
            tar::EntryType::XHeader,
            record.len() as u64,
            b"",
        ),
        record.as_slice(),
    )
    .unwrap();
    raw.append(
        &header(
            b"c/Chart.yaml",
            tar::EntryType::Regular,
            CHART.len() as u64,
            b"",
        ),
        CHART,
    )
    .unwrap();
    let err = ChartArchive::read(gz(&raw.into_inner().unwrap()).as_slice(), &tiny).unwrap_err();
    assert_eq!(err.code(), "unsafe_archive", "{err}");
    assert!(err.to_string().contains("decompression bomb"), "{err}");
}

#[test]
fn many_tiny_files_hit_the_entry_limit() {
    let names: Vec<String> = (0..10_000).map(|i| format!("c/t/{i}")).collect();
    let mut entries = vec![file("c/Chart.yaml", CHART)];
    entries.extend(names.iter().map(|n| file(n, b"")));
    let err = load(&entries).unwrap_err();
    assert_eq!(err.to_string(), "the archive has more than 10000 entries");
    entries.pop();
    assert_eq!(load(&entries).unwrap().files().len(), 10_000);
}

#[test]
fn broken_streams_are_invalid_archives() {
    assert_eq!(
        ChartArchive::read(&b""[..], &ArchiveLimits::default())
            .unwrap_err()
            .code(),
        "invalid_archive"
    );
    let good = gz(&tar_of(&[file("c/Chart.yaml", CHART)]));
    let cut = &good[..good.len() / 2];
    assert_eq!(
        ChartArchive::read(cut, &ArchiveLimits::default())
            .unwrap_err()
            .code(),
        "invalid_archive"
    );
    let err =
        ChartArchive::read(gz(&tar_of(&[])).as_slice(), &ArchiveLimits::default()).unwrap_err();
    assert_eq!(err.to_string(), "no files in chart archive");
    let err = load(&[file("c/values.yaml", b"a: 1\n")]).unwrap_err();
    assert_eq!(err.to_string(), "the archive has no `c/Chart.yaml`");
    let err = load(&[file("c/Chart.yaml", b"name: [\n")]).unwrap_err();
    assert_eq!(err.code(), "config_syntax");
}

#[test]
fn extraction_stays_inside_the_directory() {
    let archive = load(&[
        file("c/Chart.yaml", CHART),
        file("c/templates/a.yaml", b"kind: ConfigMap\n"),
        file("c/values.yaml", b"a: 1\n"),
    ])
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = archive.extract_to(tmp.path().join("out")).unwrap();
    assert_eq!(out, tmp.path().join("out/c"));
    assert_eq!(
        std::fs::read(out.join("templates/a.yaml")).unwrap(),
        b"kind: ConfigMap\n"
    );
    let err = archive.extract_to(tmp.path().join("out")).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    // A pre-existing link named like the chart is not followed.
    #[cfg(unix)]
    {
        let victim = tmp.path().join("victim");
        std::fs::create_dir(&victim).unwrap();
        let dir = tmp.path().join("linked");
        std::fs::create_dir(&dir).unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("c")).unwrap();
        assert!(archive.extract_to(&dir).is_err());
        assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 0);
    }
    let summary = archive.summary();
    assert_eq!(
        summary.files,
        ["Chart.yaml", "templates/a.yaml", "values.yaml"]
    );
    assert_eq!(summary.size, (CHART.len() + 16 + 5) as u64);
}

#!/usr/bin/env python3
"""Writes OCI image layouts (image-spec `image-layout.md`) offline, for shiprail's registry tests.

Every command adds one tagged entry to the layout's `index.json` (an entry with the same tag is
replaced), so several commands can fill one layout; `skopeo copy [--all] oci:DIR:TAG docker://...`
pushes an entry. Each command prints the digest of the manifest it tagged.

  mkoci.py image DIR TAG [--platform OS/ARCH[/VARIANT]] [--file PATH]... [--layers N --layer-mib M [--bare]]
      One image: a gzip layer holding `etc/shiprail-image` (and the given files), then N
      uncompressed layers of M MiB of random bytes each; `--bare` leaves out the first layer
      (the benchmark workload: `--layers 4 --layer-mib 64 --bare`).
  mkoci.py index DIR TAG --platform linux/amd64 --platform linux/arm64 ...
      An image index with one small image per platform.
  mkoci.py signature DIR --subject sha256:HEX [--kind sig|att|sbom]
      A cosign-style artifact for the manifest SUBJECT, tagged `sha256-HEX.KIND`.

Layers and manifests are reproducible (fixed timestamps, sorted keys) except the random layers.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
EPOCH = "1970-01-01T00:00:00Z"
REF_NAME = "org.opencontainers.image.ref.name"


class Layout:
    """An OCI image layout directory: content-addressed blobs plus a tagged index."""

    def __init__(self, root):
        self.root = root
        self.blob_dir = os.path.join(root, "blobs", "sha256")
        os.makedirs(self.blob_dir, exist_ok=True)
        marker = os.path.join(root, "oci-layout")
        if not os.path.exists(marker):
            with open(marker, "w") as f:
                json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def put(self, data):
        """Stores bytes as a blob; returns (digest, size)."""
        hexdigest = hashlib.sha256(data).hexdigest()
        path = os.path.join(self.blob_dir, hexdigest)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
        return "sha256:" + hexdigest, len(data)

    def put_stream(self, write):
        """Stores what `write(file)` writes, hashing on the way; returns (digest, size)."""
        hasher = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.blob_dir)
        with os.fdopen(fd, "wb") as raw:

            class Hashing:
                """A write-only file that hashes what passes (tarfile also asks tell())."""

                def write(self, b):
                    nonlocal size
                    hasher.update(b)
                    size += len(b)
                    return raw.write(b)

                def tell(self):
                    return size

            write(Hashing())
        digest = "sha256:" + hasher.hexdigest()
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(self.blob_dir, hasher.hexdigest()))
        return digest, size

    def put_json(self, value):
        return self.put(json.dumps(value, sort_keys=True, separators=(",", ":")).encode())

    def tag(self, tag, media_type, digest, size):
        """Points `tag` at a manifest in index.json (replacing an entry of the same tag)."""
        path = os.path.join(self.root, "index.json")
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
        if os.path.exists(path):
            with open(path) as f:
                index = json.load(f)
        entries = [m for m in index["manifests"] if m.get("annotations", {}).get(REF_NAME) != tag]
        entries.append({"mediaType": media_type, "digest": digest, "size": size,
                        "annotations": {REF_NAME: tag}})
        index["manifests"] = entries
        with open(path, "w") as f:
            json.dump(index, f, indent=1)


def descriptor(media_type, digest_size, **extra):
    digest, size = digest_size
    return dict(mediaType=media_type, digest=digest, size=size, **extra)


def tar_bytes(members):
    """A tar archive of (name, bytes) members with fixed metadata."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tf:
        dirs = set()
        for name, data in members:
            parts = name.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    info = tarfile.TarInfo(d)
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
                    tf.addfile(info)
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tf.addfile(info, io.BytesIO(data))
    return out.getvalue()


class RandomReader(io.RawIOBase):
    """`size` bytes of os.urandom, read in pieces so memory stays small."""

    def __init__(self, size):
        self.left = size

    def readable(self):
        return True

    def readinto(self, buf):
        n = min(len(buf), self.left, 1 << 20)
        buf[:n] = os.urandom(n)
        self.left -= n
        return n


def random_layer(layout, index, mib):
    size = mib << 20

    def write(out):
        with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tf:
            info = tarfile.TarInfo(f"data/random-{index}.bin")
            info.size, info.mode, info.mtime = size, 0o644, 0
            tf.addfile(info, io.BufferedReader(RandomReader(size), 1 << 20))

    digest, blob_size = layout.put_stream(write)
    # Uncompressed: the diff id is the blob digest itself.
    return descriptor(LAYER_TAR, (digest, blob_size)), digest


def platform_of(text):
    parts = text.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        sys.exit(f"mkoci.py: `{text}` is not OS/ARCH[/VARIANT]")
    p = {"os": parts[0], "architecture": parts[1]}
    if len(parts) == 3:
        p["variant"] = parts[2]
    return p


def write_image(layout, label, platform, files=(), layers=0, layer_mib=0, bare=False):
    """Writes config, layers and manifest; returns the manifest's (digest, size)."""
    layer_descs, diff_ids = [], []
    if not bare:
        members = [("etc/shiprail-image", f"{label}\n".encode())]
        for path in files:
            with open(path, "rb") as f:
                members.append(("app/" + os.path.basename(path), f.read()))
        raw = tar_bytes(members)
        layer_descs.append(descriptor(LAYER_GZIP, layout.put(gzip.compress(raw, mtime=0))))
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    for i in range(layers):
        desc, diff_id = random_layer(layout, i, layer_mib)
        layer_descs.append(desc)
        diff_ids.append(diff_id)
    config = {
        "architecture": platform["architecture"], "os": platform["os"], "created": EPOCH,
        "config": {"Entrypoint": ["/bin/true"], "Labels": {"org.shiprail.test": label}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": EPOCH, "created_by": "shiprail tests/tools/mkoci.py"}],
    }
    if "variant" in platform:
        config["variant"] = platform["variant"]
    manifest = {
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, layout.put_json(config)),
        "layers": layer_descs,
    }
    return layout.put_json(manifest)


def cmd_image(args):
    layout = Layout(args.dir)
    platform = platform_of(args.platform)
    if args.bare and (args.file or not args.layers):
        sys.exit("mkoci.py image: --bare needs --layers and no --file")
    ds = write_image(layout, f"image {args.tag}", platform, args.file, args.layers, args.layer_mib,
                     args.bare)
    layout.tag(args.tag, OCI_MANIFEST, *ds)
    print(ds[0])


def cmd_index(args):
    layout = Layout(args.dir)
    if not args.platform:
        sys.exit("mkoci.py index: give at least one --platform")
    entries = []
    for text in args.platform:
        platform = platform_of(text)
        ds = write_image(layout, f"index {args.tag} {text}", platform)
        entries.append(descriptor(OCI_MANIFEST, ds, platform=platform))
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    ds = layout.put_json(index)
    layout.tag(args.tag, OCI_INDEX, *ds)
    print(ds[0])


def cmd_signature(args):
    layout = Layout(args.dir)
    algorithm, _, hexdigest = args.subject.partition(":")
    if algorithm != "sha256" or len(hexdigest) != 64:
        sys.exit(f"mkoci.py signature: `{args.subject}` is not a sha256 digest")
    payload = json.dumps({"critical": {"image": {"docker-manifest-digest": args.subject},
                                       "type": "shiprail test signature"}}).encode()
    config = layout.put_json({"architecture": "", "os": "", "rootfs": {"type": "layers", "diff_ids": []}})
    manifest = {
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, config),
        "layers": [descriptor("application/vnd.dev.cosign.simplesigning.v1+json", layout.put(payload),
                              annotations={"dev.cosignproject.cosign/signature": "c2hpcHJhaWwtdGVzdA=="})],
    }
    ds = layout.put_json(manifest)
    tag = f"sha256-{hexdigest}.{args.kind}"
    layout.tag(tag, OCI_MANIFEST, *ds)
    print(ds[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    image = sub.add_parser("image")
    image.add_argument("dir")
    image.add_argument("tag")
    image.add_argument("--platform", default="linux/amd64")
    image.add_argument("--file", action="append", default=[])
    image.add_argument("--layers", type=int, default=0)
    image.add_argument("--layer-mib", type=int, default=1)
    image.add_argument("--bare", action="store_true", help="only the random layers")
    image.set_defaults(run=cmd_image)
    index = sub.add_parser("index")
    index.add_argument("dir")
    index.add_argument("tag")
    index.add_argument("--platform", action="append", default=[])
    index.set_defaults(run=cmd_index)
    sig = sub.add_parser("signature")
    sig.add_argument("dir")
    sig.add_argument("--subject", required=True)
    sig.add_argument("--kind", choices=["sig", "att", "sbom"], default="sig")
    sig.set_defaults(run=cmd_signature)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()

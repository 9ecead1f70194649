"""Commands for texts, keywords and tags: ``texts import|status|search|images``, ``describe``, ``keywords``,
``classify``, ``tags list|export``, ``texts remove``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from artseek.commands.common import emit_json, open_library, opt, resolve_image
from artseek.errors import ArtSeekError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    texts = sub.add_parser("texts", parents=[common], help="import descriptions and search the text corpus")
    tsub = texts.add_subparsers(dest="texts_command", metavar="ACTION", required=True)

    p = tsub.add_parser("import", parents=[common],
                        help="import texts from a CSV/JSON/Artpedia file, .txt sidecars or embedded metadata")
    p.add_argument("file", nargs="?", type=Path,
                   help="CSV (columns image,text[,type][,title]) or JSON ({\"file.jpg\": \"text\"}, "
                        "a list of {image,text,type} objects, or Artpedia)")
    p.add_argument("--sidecars", action="store_true", help="read photo.txt / photo.jpg.txt next to indexed images")
    p.add_argument("--embedded", action="store_true",
                   help="read XMP dc:description, IPTC caption and EXIF description of indexed images")
    p.add_argument("--kind", metavar="TYPE", help="text type when the file gives none (e.g. visual, contextual)")
    p.add_argument("--encoding", metavar="NAME",
                   help="the file's encoding when it is not UTF-8/16/32 (e.g. cp1252, latin-1, mac-roman)")
    p.add_argument("--columns", metavar="ROLE=COLUMN,...",
                   help="a CSV's columns when they are not named image/text/type/title, e.g. "
                        "text=Beschreibung,file=Inventar,kind=Art,title=Titel (text is required)")
    p.set_defaults(handler=cmd_texts_import)

    p = tsub.add_parser("remove", parents=[common],
                        help="forget imported texts: those of a file (by its name), --sidecars, --embedded or --all")
    p.add_argument("names", nargs="*", metavar="FILE",
                   help="the imported file (catalogue.csv) or a source as 'texts status' lists it (csv:catalogue.csv)")
    p.add_argument("--sidecars", action="store_true", help="the texts read from .txt sidecars")
    p.add_argument("--embedded", action="store_true", help="the texts read from XMP / IPTC / EXIF metadata")
    p.add_argument("--all", action="store_true",
                   help="every imported text of the library (the curator's own descriptions stay; name 'curator' "
                        "to remove those)")
    p.set_defaults(handler=cmd_texts_remove)

    p = tsub.add_parser("status", parents=[common], help="how many texts, attached to images or free")
    p.set_defaults(handler=cmd_texts_status)

    p = tsub.add_parser("search", parents=[common], help="rank the texts of the corpus for a text")
    p.add_argument("text")
    p.add_argument("--top", type=int, default=10, metavar="K")
    p.set_defaults(handler=cmd_texts_search)

    p = tsub.add_parser("images", parents=[common],
                        help="rank images for a text through their embeddings and their attached descriptions")
    p.add_argument("text")
    p.add_argument("--top", type=int, default=20, metavar="K")
    p.add_argument("--via", choices=["both", "images", "descriptions"], default="both")
    p.set_defaults(handler=cmd_texts_images)

    p = sub.add_parser("describe", parents=[common],
                       help="texts of the corpus and keywords that fit an image (library id, indexed or any file)")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--top", type=int, default=10, metavar="K")
    p.add_argument("--vocabulary", type=Path, metavar="FILE", help="keyword list (default: the library's or bundled)")
    p.set_defaults(handler=cmd_describe)

    p = sub.add_parser("keywords", parents=[common], help="suggest vocabulary keywords for an image")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--top", type=int, default=10, metavar="K")
    p.add_argument("--vocabulary", type=Path, metavar="FILE")
    p.set_defaults(handler=cmd_keywords)

    p = sub.add_parser("classify", parents=[common],
                       help="zero-shot classify every image into your categories, stored as tags")
    p.add_argument("--category", action="append", metavar="NAME=V1,V2,...",
                   help="e.g. technique=photograph,engraving,drawing,painting (repeatable; default: the "
                        "categories saved with 'categories set')")
    p.add_argument("--new-only", action="store_true",
                   help="only images without a tag of the category (all again when the category or model changed)")
    p.add_argument("--template", action="append", metavar="TEMPLATE",
                   help='prompt template with {} for the value, e.g. "an {}" (repeatable; default: a few generic ones)')
    p.add_argument("--min-score", type=float, default=0.0, help="leave images untagged below this probability")
    p.set_defaults(handler=cmd_classify)

    tags = sub.add_parser("tags", parents=[common], help="list or export tags")
    gsub = tags.add_subparsers(dest="tags_command", metavar="ACTION", required=True)
    p = gsub.add_parser("list", parents=[common], help="print tags")
    p.add_argument("--image", metavar="IMAGE")
    p.add_argument("--category")
    p.set_defaults(handler=cmd_tags_list)
    p = gsub.add_parser("export", parents=[common], help="write tags to a CSV file")
    p.add_argument("csv", type=Path, metavar="CSV")
    p.add_argument("--category")
    p.set_defaults(handler=cmd_tags_export)
    p = gsub.add_parser("set", parents=[common], help="set a curator's tag (wins over any prediction, now and later)")
    p.add_argument("image", metavar="IMAGE", help="library image id or indexed path")
    p.add_argument("tag", metavar="CATEGORY=VALUE", help="e.g. technique=engraving")
    p.set_defaults(handler=cmd_tags_set)
    p = gsub.add_parser("clear", parents=[common], help="remove an image's tag of a category (predicted again later)")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("category", metavar="CATEGORY")
    p.set_defaults(handler=cmd_tags_clear)


def _check_top(k: int) -> None:
    if k < 1:
        raise ArtSeekError("--top must be at least 1.")


class TextProgressPrinter:
    """Progress of a text import on stderr (a line every few seconds; one updating line on a terminal)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        final = done >= total
        if self.quiet or total < 2000 or (not final and now - self.last < (0.2 if self.tty else 5.0)):
            return
        self.last = now
        what = "texts stored" if phase == "storing" else "parts embedded"
        line = f"{phase}: {done}/{total} {what}"
        sys.stderr.write(("\r" + line.ljust(60) + ("\n" if final else "")) if self.tty else line + "\n")
        sys.stderr.flush()


def parse_columns(spec: str | None):  # noqa: ANN201 - a ColumnMapping or None
    """``text=Beschreibung,file=Inventar`` -> a ColumnMapping (roles: file, text, kind, title)."""
    if not spec:
        return None
    from artseek.captions.importers import ColumnMapping

    roles: dict[str, str] = {}
    for item in spec.split(","):
        role, sep, column = item.partition("=")
        role = {"image": "file", "type": "kind"}.get(role.strip().lower(), role.strip().lower())
        if not sep or role not in ("file", "text", "kind", "title") or not column.strip():
            raise ArtSeekError(f"'{item}' is not ROLE=COLUMN.", "Roles: file, text, kind (or type), title; e.g. "
                                                                "--columns text=Beschreibung,file=Inventar.")
        roles[role] = column.strip()
    if "text" not in roles:
        raise ArtSeekError("--columns needs text=COLUMN.", "Name the column that holds the descriptions.")
    return ColumnMapping(**roles)


def cmd_texts_import(args: argparse.Namespace) -> int:
    columns = parse_columns(args.columns)
    if not args.file and not args.sidecars and not args.embedded:
        raise ArtSeekError("Nothing to import.", "Give a CSV/JSON file, --sidecars or --embedded.")
    if args.file and not args.file.is_file():
        raise ArtSeekError(f"'{args.file}' is not a file.", "Check the path.")
    reports = {}
    notes: list[str] = []
    progress = TextProgressPrinter(quiet=bool(opt(args, "json")))
    with open_library(args) as lib:
        if args.file:
            from artseek.captions.importers import read_file

            read_file(args.file, args.kind, notes, args.encoding, columns)  # a bad file fails here, before the model loads
            for note in notes:
                print(f"note: {note}", file=sys.stderr)
            reports[str(args.file)] = lib.texts.import_file(args.file, args.kind, progress, encoding=args.encoding,
                                                            columns=columns)
        if args.sidecars:
            reports["sidecars"] = lib.texts.import_sidecars()
        if args.embedded:
            reports["embedded"] = lib.texts.import_embedded()
    if opt(args, "json"):
        emit_json({k: r.to_dict() for k, r in reports.items()})
        return 0
    for name, r in reports.items():
        print(f"{name}: read {r.read}, added {r.added} ({r.parts} parts), already there {r.duplicates}, "
              f"attached to images {r.attached}.")
        if r.unmatched:
            print(f"  {len(r.unmatched)} names match no indexed image (kept as free texts; attached when indexed): "
                  + ", ".join(r.unmatched[:5]) + (" ..." if len(r.unmatched) > 5 else ""))
        if r.ambiguous:
            print(f"  {len(r.ambiguous)} names match several images (give a path): " + ", ".join(r.ambiguous[:5]))
    return 0


def cmd_texts_remove(args: argparse.Namespace) -> int:
    if not (args.names or args.sidecars or args.embedded or args.all):
        raise ArtSeekError("Nothing to remove.", "Name an imported file (see 'texts status'), or give --sidecars, "
                                                 "--embedded or --all.")
    with open_library(args) as lib:
        known = lib.texts.text_sources()
        sources: list[str] | None = None
        if not args.all:
            sources = [s for s in known if (args.sidecars and s == "sidecar")
                       or (args.embedded and s in ("xmp", "iptc", "exif"))]
            unknown = []
            for name in args.names:
                found = lib.texts.sources_matching(name)
                sources.extend(found)
                if not found:
                    unknown.append(name)
            if unknown:
                listed = ", ".join(f"{s} ({n})" for s, n in known.items()) or "none"
                raise ArtSeekError(f"No imported texts come from {', '.join(repr(u) for u in unknown)}.",
                                   f"The imports of this library (texts): {listed}. Nothing was removed.")
        n = lib.texts.remove_texts(sorted(set(sources)) if sources is not None else None)
    if opt(args, "json"):
        emit_json({"removed": n, "sources": sorted(set(sources)) if sources is not None else "all"})
    else:
        print(f"Removed {n} texts ({'all imports' if sources is None else ', '.join(sorted(set(sources)))}); "
              "images and tags are untouched.")
    return 0


def cmd_texts_status(args: argparse.Namespace) -> int:
    with open_library(args, read_only_ok=True) as lib:
        counts = lib.texts.text_count()
        sources = lib.texts.text_sources()
    if opt(args, "json"):
        emit_json({**counts, "sources": sources})
    else:
        print(f"{counts['texts']} texts ({counts['attached']} attached to images, {counts['free']} free), "
              f"{counts['parts']} parts.")
        for source, n in sources.items():
            print(f"  {source}: {n} texts")
    return 0


def _print_texts(matches) -> None:  # noqa: ANN001
    if not matches:
        print("No texts in this library yet: import some with 'texts import'.")
    for i, m in enumerate(matches, 1):
        owner = f"image {m.image_id}" if m.image_id is not None else "free text"
        kind = f", {m.kind}" if m.kind else ""
        text = m.text if len(m.text) <= 160 else m.text[:157] + "..."
        print(f"{i:3d}  {m.score:.4f}  [{m.source}{kind}; {owner}]  {text}")


def cmd_texts_search(args: argparse.Namespace) -> int:
    _check_top(args.top)
    with open_library(args, read_only_ok=True) as lib:
        # Parts left by a stopped import (or a new model) are embedded here, with progress, not silently.
        lib.texts.ensure_embedded(TextProgressPrinter(quiet=bool(opt(args, "json"))))
        matches = lib.texts.texts_for_text(args.text, args.top)
    if opt(args, "json"):
        emit_json({"query": args.text, "texts": [m.to_dict() for m in matches]})
    else:
        _print_texts(matches)
    return 0


def cmd_texts_images(args: argparse.Namespace) -> int:
    _check_top(args.top)
    with open_library(args, read_only_ok=True) as lib:
        results = lib.texts.search_by_descriptions(args.text, args.top, args.via)
    if opt(args, "json"):
        emit_json({"query": args.text, "via": args.via,
                        "results": [dict(rank=i + 1, **r.to_dict()) for i, r in enumerate(results)]})
    else:
        for i, r in enumerate(results, 1):
            print(f"{i:3d}  {r.score:.4f}  {r.path}" + (f"\n       “{r.sentence}”" if r.sentence else ""))
    return 0


def _describe(lib, ref: str, top: int, vocabulary: Path | None):  # noqa: ANN001, ANN202
    image_id, path = resolve_image(lib, ref)
    vector = lib.stored_vector(image_id) if image_id is not None else lib.embed_image(path)
    return lib.texts.describe_vector(vector, image_id, top, vocabulary)


def cmd_describe(args: argparse.Namespace) -> int:
    _check_top(args.top)
    with open_library(args, read_only_ok=True) as lib:
        d = _describe(lib, args.image, args.top, args.vocabulary)
    if opt(args, "json"):
        emit_json({"image": args.image, **d.to_dict()})
        return 0
    print("Texts:")
    _print_texts(d.texts)
    print("Keywords: " + ", ".join(f"{k.term} ({k.score:.3f})" for k in d.keywords))
    return 0


def cmd_keywords(args: argparse.Namespace) -> int:
    _check_top(args.top)
    with open_library(args, read_only_ok=True) as lib:
        image_id, path = resolve_image(lib, args.image)
        vector = lib.stored_vector(image_id) if image_id is not None else lib.embed_image(path)
        keywords = lib.texts.keywords_for_vector(vector, args.top, args.vocabulary)
    if opt(args, "json"):
        emit_json({"image": args.image, "keywords": [k.to_dict() for k in keywords]})
    else:
        for k in keywords:
            print(f"{k.score:.4f}  {k.term}" + (f"  ({k.group})" if k.group else ""))
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from artseek.captions.vocabulary import VocabularyError, parse_category

    categories = [parse_category(c) for c in args.category or []]
    if args.template and not categories:
        raise VocabularyError("--template needs --category.", "Templates of saved categories are set with "
                                                              "'categories set NAME=V1,V2 --template ...'.")
    if args.template:
        bad = [t for t in args.template if t.count("{}") != 1]
        if bad:
            raise VocabularyError(f"Templates need exactly one '{{}}': {', '.join(bad)}.", 'E.g. --template "an {}".')
        for c in categories:
            c.templates = tuple(args.template)
    with open_library(args) as lib:
        reports = lib.texts.classify(categories or None, args.min_score, incremental=args.new_only)
    if opt(args, "json"):
        emit_json([r.to_dict() for r in reports])
    else:
        for r in reports:
            print(f"{r.category}: " + ", ".join(f"{v} {n}" for v, n in r.counts.items()) + f" (of {r.images} images)")
        print("Export the tags with 'tags export FILE.csv'.")
    return 0


def cmd_tags_list(args: argparse.Namespace) -> int:
    with open_library(args, read_only_ok=True) as lib:
        image_id = resolve_image(lib, args.image)[0] if args.image else None
        if args.image and image_id is None:
            raise ArtSeekError(f"'{args.image}' is not an image of this library.")
        rows = lib.texts.tags(image_id, args.category)
    if opt(args, "json"):
        emit_json(rows)
    else:
        for r in rows:
            score = f" ({r['score']:.3f})" if r["score"] is not None else ""
            print(f"{r['image_id']:6d}  {r['category']} = {r['value']}{score}  {r['path']}")
    return 0


def cmd_tags_export(args: argparse.Namespace) -> int:
    with open_library(args, read_only_ok=True) as lib:
        n = lib.texts.export_tags(args.csv, args.category)
    if opt(args, "json"):
        emit_json({"file": os.fspath(args.csv), "rows": n})
    else:
        print(f"Wrote {n} tags to {args.csv}.")
    return 0


def _library_image(lib, ref: str) -> int:  # noqa: ANN001
    image_id = resolve_image(lib, ref)[0]
    if image_id is None:
        raise ArtSeekError(f"'{ref}' is not an image of this library.", "Give its id or its indexed path.")
    return image_id


def cmd_tags_set(args: argparse.Namespace) -> int:
    category, sep, value = args.tag.partition("=")
    if not sep or not category.strip() or not value.strip():
        raise ArtSeekError(f"'{args.tag}' is not CATEGORY=VALUE.", "E.g. tags set 12 technique=engraving.")
    with open_library(args) as lib:
        image_id = _library_image(lib, args.image)
        lib.texts.set_tag(image_id, category.strip(), value.strip())
    if opt(args, "json"):
        emit_json({"image_id": image_id, "category": category.strip(), "value": value.strip(), "source": "curator"})
    else:
        print(f"Image {image_id}: {category.strip()} = {value.strip()} (curator; kept by every classification).")
    return 0


def cmd_tags_clear(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        image_id = _library_image(lib, args.image)
        removed = lib.texts.clear_tag(image_id, args.category)
    if opt(args, "json"):
        emit_json({"image_id": image_id, "category": args.category, "removed": removed})
    else:
        print(f"Image {image_id}: {'removed its' if removed else 'had no'} tag of '{args.category}'.")
    return 0

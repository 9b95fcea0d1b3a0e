#!/usr/bin/env python3
"""Turns docs/rules.md into the man page xunjian-rules(5).

docs/rules.md stays the one source of truth; this converter knows only the Markdown that
file uses (headings, paragraphs, fenced code, pipe tables, "- " lists, `code`, **bold**,
*italic*) and fails loudly on anything it does not know, so the page cannot silently drop
text.

    md2man.py INPUT.md OUTPUT.5 VERSION

The page's date is $SOURCE_DATE_EPOCH when set (reproducible builds), else the day the
Markdown file was last changed.
"""
import os
import re
import sys
import time


def escape(text):
    """Escapes roff's metacharacters in running text."""
    text = text.replace("\\", "\\e")
    text = text.replace("-", "\\-")
    return text


def protect_line(line):
    """A line that starts with a control character would be read as a request."""
    if line.startswith((".", "'")):
        return "\\&" + line
    return line


def inline(text):
    """Markdown inline markup to roff fonts: `code` and **bold** in bold, *x* in italic."""
    out = []
    pos = 0
    for m in re.finditer(r"`([^`]+)`", text):
        out.append(emphasis(escape(text[pos:m.start()])))
        out.append("\\fB" + escape(m.group(1)) + "\\fR")
        pos = m.end()
    out.append(emphasis(escape(text[pos:])))
    return "".join(out)


def emphasis(text):
    text = re.sub(r"\*\*(.+?)\*\*", r"\\fB\1\\fR", text)
    text = re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"\\fI\1\\fR", text)
    return text


def split_row(line):
    """The cells of a pipe-table row; "\\|" is a pipe inside a cell."""
    line = line.strip()
    if not (line.startswith("|") and line.endswith("|")):
        raise ValueError("table row must start and end with '|': " + line)
    cells = re.split(r"(?<!\\)\|", line[1:-1])
    return [c.strip().replace("\\|", "|") for c in cells]


def table(rows, out):
    """A table as a tagged list: the first cell is the tag, the others follow it, each
    after its column's name when there are more than two. tbl would need the whole row on
    one line of the terminal, which the long cells of these tables (Chinese text without
    spaces to break at) do not allow."""
    header, sep, body = rows[0], rows[1], rows[2:]
    if not all(re.fullmatch(r":?-+:?", c) for c in sep):
        raise ValueError("second table row must be the separator: " + "|".join(sep))
    n = len(header)
    for row in body:
        if len(row) != n:
            raise ValueError("table row has %d cells, the header %d: %s" % (len(row), n, row))
    for row in body:
        out.append(".TP")
        out.append(protect_line(inline(row[0])))
        for c in range(1, n):
            if c > 1:
                out.append(".br")
            if n > 2:
                out.append(protect_line("\\fI%s:\\fR %s" % (inline(header[c]), inline(row[c]))))
            else:
                out.append(protect_line(inline(row[c])))


def convert(md, version, date):
    lines = md.split("\n")
    out = ['.\\" Generated from docs/rules.md by scripts/md2man.py; edit that file.']
    i = 0
    first = lines[0]
    m = re.fullmatch(r"# (\S+)\((\d)\) — (.*)", first)
    if not m:
        raise ValueError("line 1 must be '# name(section) — title'")
    name, section = m.group(1), m.group(2)
    out.append('.TH %s %s "%s" "xunjian %s" "File Formats"' % (name.upper(), section, date,
                                                              version))
    i = 1
    para = False
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            para = False
            i += 1
            continue
        if line.startswith("## "):
            out.append('.SH "%s"' % escape(line[3:].strip()).upper())
            para = True
            i += 1
            continue
        if line.startswith("### "):
            out.append('.SS "%s"' % inline(line[4:].strip()))
            para = True
            i += 1
            continue
        if line.startswith("#"):
            raise ValueError("line %d: heading level not supported: %s" % (i + 1, line))
        if line.startswith("```"):
            i += 1
            out.append(".PP")
            out.append(".RS 4")
            out.append(".nf")
            while i < len(lines) and not lines[i].startswith("```"):
                out.append(protect_line(escape(lines[i])) if lines[i] else "")
                i += 1
            if i == len(lines):
                raise ValueError("unterminated code block")
            out.append(".fi")
            out.append(".RE")
            para = False
            i += 1
            continue
        if line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(split_row(lines[i]))
                i += 1
            out.append(".PP")
            table(rows, out)
            para = False
            continue
        if line.startswith("- "):
            item = [line[2:].strip()]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                item.append(lines[i].strip())
                i += 1
            out.append(".IP \\(bu 2")
            out.extend(protect_line(inline(t)) for t in item)
            para = True
            continue
        if not para:
            out.append(".PP")
            para = True
        out.append(protect_line(inline(line.strip())))
        i += 1
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, dst, version = sys.argv[1:]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    date = time.strftime("%Y-%m-%d", time.gmtime(int(epoch) if epoch else os.stat(src).st_mtime))
    with open(src, encoding="utf-8") as f:
        md = f.read()
    try:
        page = convert(md, version, date)
    except ValueError as e:
        sys.exit("%s: %s" % (src, e))
    with open(dst, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Regenerate the rule catalog table in README.md from rules/*.yaml.

The table sits between the markers <!-- rules-table:start --> and <!-- rules-table:end -->.
`cargo test` checks that every rule id appears in README.md, so run this after adding a rule:
    python3 scripts/rules-table.py
Needs PyYAML (python3 -m pip install pyyaml) or falls back to a minimal line reader.
"""
import os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def read_rule(path):
    text = open(path, encoding="utf-8").read()
    try:
        import yaml
        d = yaml.safe_load(text)
        return {k: d.get(k) for k in ("id", "title", "severity", "category", "kind", "detects", "references", "platforms")}
    except ImportError:
        d = {}
        for key in ("id", "severity", "category", "kind"):
            m = re.search(rf"^{key}:\s*(.+)$", text, re.M)
            d[key] = m.group(1).strip() if m else None
        m = re.search(r"^detects:\s*\|\n((?:  .*\n)+)", text, re.M)
        d["detects"] = m.group(1) if m else ""
        d["references"] = [{"seed": s} for s in re.findall(r"seed:\s*(\S+)", text)]
        d["platforms"] = {p: 1 for p in re.findall(r"^  (tencent-eks|huawei-cci|aws-eks):", text, re.M)}
        return d

# The vendor documents behind the seed files, by the name users know them (src/rules.rs has the same).
DOCS = {
    "000": "Tencent TKE Serverless deep learning FAQ",
    "001": "Tencent TKE Serverless: TCR guide",
    "002": "Huawei Cloud CCI FAQ",
    "003": "Tencent TKE Serverless cluster FAQ",
    "004": "AWS EKS China regions walkthrough",
}

def first_sentence(s):
    s = " ".join((s or "").split())
    m = re.match(r"(.+?[.!?])(\s|$)", s)
    s = m.group(1) if m else s
    return s.replace("|", "\\|")

rules = [read_rule(os.path.join(ROOT, "rules", f)) for f in sorted(os.listdir(os.path.join(ROOT, "rules"))) if f.endswith(".yaml")]
by_cat = {}
for r in rules:
    by_cat.setdefault(r["category"], []).append(r)
lines = [f"{len(rules)} rules. `kubectl-diagnose rules show ID` prints any rule's full documentation.", ""]
for cat in sorted(by_cat):
    lines.append(f"**{cat}**")
    lines.append("")
    lines.append("| id | severity | kind | detects | source |")
    lines.append("|---|---|---|---|---|")
    for r in sorted(by_cat[cat], key=lambda r: r["id"]):
        seeds = sorted({ref.get("seed", "")[:3] for ref in (r.get("references") or []) if ref.get("seed")})
        src = ", ".join(DOCS.get(s, "vendor document") for s in seeds) or "Kubernetes docs"
        plats = ", ".join(sorted((r.get("platforms") or {}).keys()))
        if plats:
            src += f"; fixes for {plats}"
        lines.append(f"| `{r['id']}` | {r['severity']} | {r.get('kind') or 'cause'} | {first_sentence(r['detects'])} | {src} |")
    lines.append("")
table = "\n".join(lines)
readme = os.path.join(ROOT, "README.md")
text = open(readme, encoding="utf-8").read()
start, end = "<!-- rules-table:start -->", "<!-- rules-table:end -->"
if start not in text:
    text = text.replace("RULES_TABLE", f"{start}\n{end}")
new = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: f"{start}\n{table}\n{end}", text, flags=re.S)
open(readme, "w", encoding="utf-8").write(new)
print(f"README.md: {len(rules)} rules")

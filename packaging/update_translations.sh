#!/usr/bin/env bash
# Refresh the Simplified Chinese translation of the studio's interface.
#
#   bash packaging/update_translations.sh
#
# 1. pyside6-lupdate collects every self.tr() / QCoreApplication.translate() string of mtl_studio/gui/*.py
#    into resources/i18n/mtl_studio_zh_CN.ts, keeping the translations already there (new strings are
#    marked "unfinished"; removed ones "vanished").
# 2. Translate the unfinished entries (Qt Linguist: pyside6-linguist resources/i18n/mtl_studio_zh_CN.ts).
# 3. pyside6-lrelease compiles the .ts into the .qm the app loads (commit both).
set -euo pipefail
cd "$(dirname "$0")/.."
TS=resources/i18n/mtl_studio_zh_CN.ts
QM=resources/i18n/mtl_studio_zh_CN.qm
mkdir -p resources/i18n
pyside6-lupdate -no-obsolete -locations relative mtl_studio/gui/*.py -ts "$TS"
pyside6-lrelease "$TS" -qm "$QM"
python - "$TS" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
msgs = root.iter("message")
total = unfinished = 0
for m in msgs:
    total += 1
    t = m.find("translation")
    if t is not None and t.get("type") == "unfinished":
        unfinished += 1
print(f"{total} strings, {unfinished} still to translate")
PY

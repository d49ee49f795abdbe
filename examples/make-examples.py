#!/usr/bin/env python3
"""Regenerates the example inputs in this folder (deterministic).

* mail.log.1.gz and mail.log: one realistic Postfix log of three hosts made by the shared
  generator (`../shared/bench/gen-postfix-log --lines 60000 --seed 11`), cut in two as
  logrotate would leave it (older part gzipped).
* reports/: DMARC aggregate reports written for this project (no third-party data) about the
  generator's sender domain, as the three containers reporters use: .xml.gz, .zip and an
  .eml message with a gzip attachment.
"""
import base64, calendar, gzip, io, os, subprocess, sys, zipfile
from email.message import EmailMessage

here = os.path.dirname(os.path.abspath(__file__))
gen = os.path.join(here, "..", "..", "shared", "bench", "gen-postfix-log")

def log():
    out = subprocess.run([sys.executable, gen, "--lines", "60000", "--seed", "11"], check=True, capture_output=True).stdout
    lines = out.splitlines(keepends=True)
    old, new = b"".join(lines[:40000]), b"".join(lines[40000:])
    with open(os.path.join(here, "mail.log.1.gz"), "wb") as f:
        f.write(gzip.compress(old, mtime=0))
    with open(os.path.join(here, "mail.log"), "wb") as f:
        f.write(new)

def day(y, m, d):
    return calendar.timegm((y, m, d, 0, 0, 0))

def record(ip, count, disp, dkim, spf, hfrom="northwind-freight.com", reason=None, auth_dkim="pass", auth_spf="pass"):
    r = f"""  <record>
    <row>
      <source_ip>{ip}</source_ip>
      <count>{count}</count>
      <policy_evaluated>
        <disposition>{disp}</disposition>
        <dkim>{dkim}</dkim>
        <spf>{spf}</spf>
"""
    if reason:
        r += f"""        <reason><type>{reason}</type><comment></comment></reason>
"""
    r += f"""      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>{hfrom}</header_from>
    </identifiers>
    <auth_results>
      <dkim><domain>{hfrom}</domain><selector>mail</selector><result>{auth_dkim}</result></dkim>
      <spf><domain>{hfrom}</domain><result>{auth_spf}</result></spf>
    </auth_results>
  </record>
"""
    return r

def report(org, email, rid, begin, end, records):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <version>1.0</version>
  <report_metadata>
    <org_name>{org}</org_name>
    <email>{email}</email>
    <report_id>{rid}</report_id>
    <date_range><begin>{begin}</begin><end>{end}</end></date_range>
  </report_metadata>
  <policy_published>
    <domain>northwind-freight.com</domain>
    <adkim>r</adkim><aspf>r</aspf><p>reject</p><sp>reject</sp><pct>100</pct>
  </policy_published>
{"".join(records)}</feedback>
""".encode()

def reports():
    b, e = day(2026, 11, 20), day(2026, 11, 21) - 1
    google = report("google.com", "noreply-dmarc-support@google.com", "4815162342108", b, e, [
        record("203.0.113.94", 1204, "none", "pass", "pass"),
        record("203.0.113.107", 311, "none", "pass", "fail", auth_spf="softfail"),
        record("198.51.100.25", 402, "none", "pass", "pass"),
        record("192.0.2.77", 260, "reject", "fail", "fail", auth_dkim="fail", auth_spf="fail"),
        record("209.85.220.41", 31, "none", "fail", "fail", reason="forwarded", auth_dkim="fail", auth_spf="fail"),
    ])
    with open(os.path.join(here, "reports", "google.com!northwind-freight.com!%d!%d.xml.gz" % (b, e)), "wb") as f:
        f.write(gzip.compress(google, mtime=0))
    yahoo = report("Yahoo", "dmarchelp@yahooinc.com", "1763683200.118524", b, e, [
        record("203.0.113.95", 120, "reject", "fail", "fail", auth_dkim="fail", auth_spf="pass"),
        record("203.0.113.95", 24, "none", "pass", "pass"),
        record("203.0.113.94", 540, "none", "pass", "pass"),
    ])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("yahoo.com!northwind-freight.com!%d!%d.xml" % (b, e), date_time=(2026, 11, 21, 0, 0, 0))
        z.writestr(info, yahoo)
    with open(os.path.join(here, "reports", "yahoo.com!northwind-freight.com!%d!%d.zip" % (b, e)), "wb") as f:
        f.write(buf.getvalue())
    ms = report("Enterprise Outlook", "dmarcreport@microsoft.com", "a1b2c3d4e5f64789a0b1c2d3e4f5a6b7", b, e, [
        record("203.0.113.94", 822, "none", "pass", "pass"),
        record("203.0.113.107", 97, "none", "pass", "pass"),
    ])
    msg = EmailMessage()
    msg["From"] = "DMARC Aggregate Report <dmarcreport@microsoft.com>"
    msg["To"] = "dmarc@northwind-freight.com"
    msg["Subject"] = "Report Domain: northwind-freight.com Submitter: enterprise.protection.outlook.com Report-ID: <a1b2c3d4e5f64789a0b1c2d3e4f5a6b7>"
    msg["Date"] = "Sat, 21 Nov 2026 03:12:44 +0000"
    msg["Message-ID"] = "<example-report-1@microsoft.com>"
    msg.set_content("This is a DMARC aggregate report from Microsoft Corporation.\n")
    msg.add_attachment(gzip.compress(ms, mtime=0), maintype="application", subtype="octet-stream",
                       filename="enterprise.protection.outlook.com!northwind-freight.com!%d!%d.xml.gz" % (b, e))
    with open(os.path.join(here, "reports", "microsoft-report.eml"), "wb") as f:
        f.write(bytes(msg))

if __name__ == "__main__":
    log()
    reports()

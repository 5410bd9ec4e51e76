#!/usr/bin/env python3
"""The admin console in a real headless Chromium (selenium + chromium-driver), run by `make test`.

Starts the built `intake` on a scratch config (webhook, a hotline spool, the HTTP sink into a
receiver here that refuses events until told to accept them, the console), feeds it cases,
and drives the console as a person would: a wrong password refused, the overview's figures
against the store, a case found by ref and by phone, its timeline, a dead letter replayed and
seen delivered, a viewer refused a replay, a POST without its CSRF token refused, a hostile
description shown as text. Every page is saved under .build/console-screenshots/.

    python3 Tests/console/console_browser_test.py [.build/debug/intake]
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import urllib.error

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/intake"))
SHOTS = os.path.join(ROOT, ".build/console-screenshots")
SECRET = "console-test-secret"
PASSWORDS = {"admin": "admin-test-password", "viewer": "viewer-test-password"}
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver(http.server.BaseHTTPRequestHandler):
    """The routing service: 400 (a permanent refusal: dead letter at once) until accepting."""
    accepting = False
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if Receiver.accepting:
            Receiver.received.append(json.loads(body))
            self.send_response(200)
        else:
            self.send_response(400)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}" if Receiver.accepting else b"no")

    def log_message(self, *args):
        pass


def signed_post(port, body, key):
    data = body.encode()
    t = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), t.encode() + b"." + data, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/requests", data=data, method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": key, "X-Intake-Signature": f"t={t},v1={mac}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["cases"][0]


def intake(config, *args, stdin=None):
    result = subprocess.run([BINARY, *args, "--config", config], input=stdin, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"intake {' '.join(args)}: {result.stderr}")
    return result.stdout


def wait_for(what, condition, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def request(description, ref, phone, enterprise="天津某某科技有限公司", uscc="91120116MA07K3RD93", subject="厂房用地规划许可进度咨询"):
    body = {
        "ref": ref, "reported_at": "2026-02-26T09:13:05+08:00",
        "requester": {"name": "张先生", "phone": phone, "email": "zhang@example.cn"},
        "enterprise": {"name": enterprise}, "subject": subject, "description": description, "category": "土地",
    }
    if uscc:
        body["enterprise"]["uscc"] = uscc
    return json.dumps(body, ensure_ascii=False)


def main():
    os.makedirs(SHOTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="intake-console-browser-")
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    webhook_port, admin_port = free_port(), free_port()
    with open(os.path.join(work, "webhook.secret"), "w") as f:
        f.write(SECRET + "\n")
    spool = os.path.join(work, "spool/hotline")
    os.makedirs(spool)
    config = os.path.join(work, "intake.yaml")
    with open(config, "w") as f:
        f.write(f"""
zone: {{time_zone: Asia/Shanghai, default_area_code: "022"}}
store: {{path: {work}/intake.sqlite, blob_dir: {work}/blobs}}
log: {{level: info}}
webhook:
  listen_host: 127.0.0.1
  listen_port: {webhook_port}
  sources: [{{name: portal, auth: hmac, secret_file: {work}/webhook.secret}}]
hotline:
  sources: [{{name: hotline, spool_dir: {spool}, mapping: {ROOT}/channels/hotline.yaml, settle_secs: 0}}]
visits: {{enabled: false}}
classification:
  taxonomy: {ROOT}/channels/taxonomy.yaml
  holidays: {ROOT}/channels/holidays.yaml
  examples: {ROOT}/channels/classification_examples.tsv
dedup: {{enabled: true}}
forwarding:
  poll_interval_millis: 100
  sink: {{type: http, url: "http://127.0.0.1:{receiver.server_address[1]}/events", timeout_millis: 3000}}
admin:
  enabled: true
  listen_host: 127.0.0.1
  listen_port: {admin_port}
  users_file: {work}/admin-users
  session_hours: 8
""")
    intake(config, "admin", "user", "add", "admin", "--role", "admin", stdin=PASSWORDS["admin"] + "\n")
    intake(config, "admin", "user", "add", "viewer", "--role", "viewer", stdin=PASSWORDS["viewer"] + "\n")
    check("viewer" in intake(config, "admin", "user", "list"), "intake admin user list shows the users")
    log = open(os.path.join(work, "daemon.log"), "w")
    daemon = subprocess.Popen([BINARY, "run", "--config", config], stderr=log, stdout=log)
    driver = None
    try:
        base = f"http://127.0.0.1:{admin_port}"

        def up():
            try:
                urllib.request.urlopen(base + "/login", timeout=2)
                return True
            except (urllib.error.URLError, ConnectionError):
                return False
        wait_for("the console", up)

        first = signed_post(webhook_port, request("我司厂房用地规划许可已提交两个月，请问目前进度如何？", "portal-ref-001", "138 1234 5678"), "key-001")
        again = signed_post(webhook_port, request("我司厂房用地规划许可已提交两个月，请问目前进度如何？已经反映过一次了。", "portal-ref-002", "138 1234 5678"), "key-002")
        hostile = signed_post(webhook_port, request("<script>alert(1)</script>", "xss-001", "139 2000 1024", enterprise="天津测试有限公司",
                                                    uscc="", subject="<b>粗体</b>"), "key-003")
        check(again["status"] == "duplicate", "a re-send is a duplicate (for the overview's share)")
        with open(os.path.join(spool, "2026-12-06.csv.part"), "w", encoding="utf-8") as f:
            f.write("工单编号,来电时间,来电号码,诉求人,企业名称,诉求类型,诉求内容\n"
                    "RX-1001,2026/12/6 9:13,022-88839428,王女士,天津某某科技有限公司,供水,园区自来水压力不足，三楼以上经常停水。\n"
                    "RX-1002,2026/12/6 9:20,13920001024,李先生,天津某某科技有限公司,,\n")
        os.rename(os.path.join(spool, "2026-12-06.csv.part"), os.path.join(spool, "2026-12-06.csv"))
        store = sqlite3.connect(f"file:{work}/intake.sqlite?mode=ro", uri=True)
        wait_for("the hotline file", lambda: store.execute("SELECT count(*) FROM trace WHERE step = 'file_archived'").fetchone()[0] == 1)
        cases = store.execute("SELECT count(*) FROM intake_case").fetchone()[0]
        check(cases == 4, f"four cases stored ({cases})")
        wait_for("every event dead", lambda: json.loads(intake(config, "status", "--json"))["dead_letters"] == cases)
        Receiver.accepting = True

        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=zh-CN", "--window-size=1400,1100"]:
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
        driver.implicitly_wait(2)

        def shot(name):
            # The whole page, however long, through the DevTools protocol.
            size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
            image = driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}})
            with open(os.path.join(SHOTS, name + ".png"), "wb") as f:
                f.write(base64.b64decode(image["data"]))

        def fetch(path):
            """A GET with the browser's session cookie: what a download gives."""
            cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
            with urllib.request.urlopen(urllib.request.Request(base + path, headers={"Cookie": cookies}), timeout=10) as answer:
                return answer.headers, answer.read()

        def is_stale(element):
            try:
                element.is_enabled()
                return False
            except StaleElementReferenceException:
                return True

        def click(css):
            """Clicks and waits for the next page: the old one's elements are gone."""
            page = driver.find_element(By.TAG_NAME, "html")
            driver.find_element(By.CSS_SELECTOR, css).click()
            wait_for(f"the page after {css}", lambda: is_stale(page), timeout=15)

        def login(user, password):
            driver.get(base + "/login")
            driver.find_element(By.NAME, "user").send_keys(user)
            driver.find_element(By.NAME, "password").send_keys(password)
            click("section.login button")

        def text(element_id):
            return driver.find_element(By.ID, element_id).text.strip()

        # Log in: a wrong password first.
        driver.get(base + "/")
        check(driver.current_url.startswith(base + "/login"), "without a session the console asks for a login")
        shot("01-login")
        login("admin", "wrong-password")
        check("用户名或密码错误" in text("login-error"), "a wrong password is refused")
        shot("02-login-refused")
        login("admin", PASSWORDS["admin"])
        check(driver.current_url == base + "/", "the right password opens the overview")
        check(all(c["httpOnly"] and c["sameSite"] == "Strict" for c in driver.get_cookies() if c["name"] == "intake_session")
              and any(c["name"] == "intake_session" for c in driver.get_cookies()), "the session cookie is HttpOnly and SameSite=Strict")

        # The overview's figures against the store.
        status = json.loads(intake(config, "status", "--json"))
        quarantine = json.loads(intake(config, "quarantine", "list", "--json"))
        check(text("cases-today") == str(cases), f"cases today {text('cases-today')} = {cases} in the store")
        check(text("cases-week") == str(cases), "cases over 7 days match the store")
        check(text("outbox-depth") == str(status["outbox_depth"]), f"outbox depth {text('outbox-depth')} = {status['outbox_depth']}")
        check(text("dead-letters") == str(status["dead_letters"]), f"dead letters {text('dead-letters')} = {status['dead_letters']}")
        check(text("open-quarantine") == str(len(quarantine)), f"open quarantine {text('open-quarantine')} = {len(quarantine)}")
        duplicates = store.execute("SELECT count(*) FROM intake_case WHERE json_extract(document, '$.duplicate_of') IS NOT NULL").fetchone()[0]
        check(text("duplicate-share") == f"{duplicates * 100 / cases:.1f}%", f"duplicate share {text('duplicate-share')}")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#chart rect")) >= 4, "the chart has bars")
        sources = text("sources")
        check("portal" in sources and "hotline" in sources, "the last input of each source is listed")
        shot("03-overview")

        # Find a case by ref, then by phone; open its timeline.
        driver.get(base + "/cases")
        driver.find_element(By.NAME, "ref").send_keys("portal-ref-001")
        click("form.search button")
        check(text("result-count").startswith("共 1 件"), "the ref finds one case")
        links = driver.find_elements(By.CSS_SELECTOR, "a.case-link")
        check(len(links) == 1 and links[0].get_attribute("href").endswith(first["id"]), "the ref finds its case")
        driver.get(base + "/cases")
        driver.find_element(By.NAME, "phone").send_keys("+86 138-1234-5678")
        click("form.search button")
        found = [a.get_attribute("href").rsplit("/", 1)[1] for a in driver.find_elements(By.CSS_SELECTOR, "a.case-link")]
        check(sorted(found) == sorted([first["id"], again["id"]]), f"the phone, written otherwise, finds both of its cases ({len(found)})")
        shot("04-search-by-phone")
        click(f"a.case-link[href='/cases/{first['id']}']")
        check(text("case-id") == first["id"], "the case page opens")
        steps = [row.get_attribute("class") for row in driver.find_elements(By.CSS_SELECTOR, "#timeline tbody tr")]
        check(all(f"step-{s}" in steps for s in ["received", "normalised", "deduplicated", "stored", "queued", "dead_lettered"]),
              "the timeline shows every step, the dead letter included")
        headers, raw = fetch(driver.find_element(By.ID, "raw-download").get_attribute("href")[len(base):])
        check(headers["Content-Disposition"].startswith('attachment; filename="portal-ref-001-raw.json"')
              and headers["Content-Type"] == "application/octet-stream", "the raw input downloads as an attachment")
        check(json.loads(raw)["ref"] == "portal-ref-001", "and is the request as it came")
        shot("05-case")
        driver.get(base + f"/cases/{again['id']}")
        check("重复于" in text("dedup-decision") and first["id"] in text("dedup-decision"), "a duplicate's page explains its decision")
        check(len(driver.find_elements(By.CSS_SELECTOR, f"a[href='/cases/{first['id']}']")) >= 1, "and links to its original")
        shot("06-case-duplicate")

        # Hostile text is text.
        driver.get(base + f"/cases/{hostile['id']}")
        check(text("case-description") == "<script>alert(1)</script>", "a <script> description is shown as text")
        check(driver.find_elements(By.TAG_NAME, "script") == [] and driver.find_elements(By.TAG_NAME, "b") == [], "and no element was made of it")
        try:
            driver.switch_to.alert
            check(False, "no alert ran")
        except NoAlertPresentException:
            check(True, "no alert ran")
        shot("07-case-hostile")

        # The enterprise's record.
        driver.get(base + "/enterprises?uscc=91120116MA07K3RD93")
        check("共 2 件诉求，1 个原始案件" in text("enterprise-count"), f"the enterprise's record groups the duplicate ({text('enterprise-count')})")
        shot("08-enterprise")

        # A POST without its CSRF token is refused.
        driver.get(base + "/dead")
        shot("09-dead-letters")
        first_letter = store.execute("SELECT id FROM outbox WHERE case_id = ? AND state = 'dead'", (first["id"],)).fetchone()[0]
        driver.execute_script("document.querySelector('#dead-form input[name=csrf]').remove()")
        click(f"#dead-{first_letter} button.replay-one")
        check("安全令牌" in text("message-text"), "a replay without the CSRF token is refused")
        check(store.execute("SELECT state FROM outbox WHERE id = ?", (first_letter,)).fetchone()[0] == "dead", "and replays nothing")
        shot("10-csrf-refused")

        # Replay one dead letter and see it delivered.
        driver.get(base + "/dead")
        click(f"#dead-{first_letter} button.replay-one")
        check("已重放 1 条" in text("flash"), "the replay is confirmed")
        shot("11-dead-replayed")
        wait_for("the replayed event", lambda: any(e.get("case", {}).get("id") == first["id"] for e in Receiver.received), timeout=15)

        def delivered():
            driver.get(base + f"/cases/{first['id']}")
            return [row.get_attribute("class") for row in driver.find_elements(By.CSS_SELECTOR, "#timeline tbody tr")]
        steps = wait_for("delivered on the timeline", lambda: (lambda s: s if "step-delivered" in s else None)(delivered()), timeout=15)
        check(steps.index("step-replayed") < steps.index("step-delivered"), "the case's timeline shows the replay, then the delivery")
        actors = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#timeline tr.step-replayed")]
        check(any("admin@console" in a for a in actors), "the replay is traced with the user's name")
        shot("12-case-delivered")

        # The quarantine, the hotline files, the users.
        driver.get(base + "/quarantine")
        check("RX-1002" in driver.page_source and "诉求内容" in driver.page_source, "the bad hotline row is in quarantine, cell by cell")
        shot("13-quarantine")
        driver.get(base + "/hotline")
        check("2026-12-06.csv" in text("hotline-files"), "the hotline file is listed")
        reports = driver.find_elements(By.CSS_SELECTOR, "a.report-link")
        check(len(reports) == 1, "with its error report to download")
        headers, report = fetch(reports[0].get_attribute("href")[len(base):])
        check(headers["Content-Disposition"].startswith('attachment; filename="2026-12-06.csv.errors.csv"'), "the report downloads as an attachment")
        check("RX-1002" in report.decode("utf-8-sig"), "and lists the rejected row")
        shot("14-hotline")
        driver.get(base + "/users")
        check("viewer" in text("users-table"), "the admin sees the users")
        shot("15-users")
        click("form.logout button")
        wait_for("the logout", lambda: driver.current_url.startswith(base + "/login") and driver.find_elements(By.NAME, "password"), timeout=15)
        check(not any(c["name"] == "intake_session" for c in driver.get_cookies()), "logging out removes the session cookie")

        # A viewer is refused a replay, even by a hand-made form with its own token.
        login("viewer", PASSWORDS["viewer"])
        driver.get(base + "/dead")
        check("只读账户不能重放" in text("read-only") and not driver.find_elements(By.CSS_SELECTOR, "button.replay-one"), "a viewer gets no replay buttons")
        shot("16-dead-viewer")
        dead_before = json.loads(intake(config, "status", "--json"))["dead_letters"]
        driver.execute_script("""
            const form = document.createElement('form'); form.method = 'post'; form.action = '/dead/replay';
            for (const [name, value] of [['csrf', document.querySelector('form.logout input[name=csrf]').value], ['all', '1']]) {
                const input = document.createElement('input'); input.name = name; input.value = value; form.appendChild(input); }
            document.body.appendChild(form); form.submit();""")
        wait_for("the refusal", lambda: driver.find_elements(By.ID, "message-title"))
        check(text("message-title") == "权限不足", "a viewer's replay is refused")
        time.sleep(0.5)
        check(json.loads(intake(config, "status", "--json"))["dead_letters"] == dead_before, "and replays nothing")
        shot("17-viewer-refused")
    finally:
        if driver:
            driver.quit()
        daemon.terminate()
        daemon.wait(timeout=30)
        receiver.shutdown()
        log.close()
        if failures:
            print(open(os.path.join(work, "daemon.log")).read()[-4000:])
        shutil.rmtree(work, ignore_errors=True)
    print(f"screenshots in {SHOTS}")
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

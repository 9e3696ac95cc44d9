#!/usr/bin/env python3
"""Drives the i2v web UI in headless Chromium and saves screenshots.

Uses only the Python standard library and the W3C WebDriver HTTP protocol (chromedriver from
Debian's `chromium-driver`; install both with `I2V_WITH_BROWSER=1 scripts/bootstrap.sh`).

It uploads a real photo, types a title, waits for the suggested plan, generates, watches the
progress bar, checks that the video plays, opens the history gallery, checks that a bad file is
explained in plain words, and saves screenshots under docs/screenshots/.

    scripts/ui_test.py --serve .build/debug/i2v          # starts its own server on a free port
    scripts/ui_test.py --url http://127.0.0.1:7860        # uses a running server
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{method} {url}: HTTP {error.code}: {error.read()[:500]!r}") from None


def wait_for(what, check, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as error:  # the page may be between states
            last = error
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


class Browser:
    def __init__(self, driver_port, language, width, height):
        self.base = f"http://127.0.0.1:{driver_port}"
        binary = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
        capabilities = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         f"--window-size={width},{height}", f"--lang={language}", "--autoplay-policy=no-user-gesture-required"],
                "prefs": {"intl.accept_languages": language},
            },
        }}}
        self.session = http("POST", f"{self.base}/session", capabilities)["value"]["sessionId"]

    def call(self, method, path, body=None):
        return http(method, f"{self.base}/session/{self.session}{path}", body)["value"]

    def go(self, url):
        self.call("POST", "/url", {"url": url})

    def find(self, selector):
        return self.call("POST", "/element", {"using": "css selector", "value": selector})[ELEMENT]

    def type(self, selector, text):
        self.call("POST", f"/element/{self.find(selector)}/value", {"text": text})

    def click(self, selector):
        self.call("POST", f"/element/{self.find(selector)}/click", {})

    def js(self, script, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def screenshot(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.call("GET", "/screenshot")))
        print(f"  screenshot {os.path.relpath(path, ROOT)}")

    def close(self):
        try:
            http("DELETE", f"{self.base}/session/{self.session}")
        except Exception:
            pass


def visible(browser, selector):
    return browser.js("const e = document.querySelector(arguments[0]); return !!e && !e.hidden && e.offsetParent !== null;", selector)


def text(browser, selector):
    return browser.js("const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : '';", selector)


def start_server(binary, data_root):
    port = free_port()
    env = dict(os.environ)
    env.update({"I2V_HOST": "127.0.0.1", "I2V_PORT": str(port), "I2V_DATA_DIR": os.path.join(data_root, "data"),
                "I2V_OUTPUTS_DIR": os.path.join(data_root, "outputs"), "I2V_PUBLIC_DIR": os.path.join(ROOT, "Public")})
    log = open(os.path.join(data_root, "server.log"), "w")
    process = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"

    def healthy():
        if process.poll() is not None:
            raise RuntimeError(f"the server exited; see {log.name}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                return json.loads(response.read())["status"] in ("ready", "degraded")
        except urllib.error.HTTPError:
            return False
        except OSError:
            return False

    wait_for("the server to answer /healthz", healthy, 120, 0.2)
    return process, url


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server (default: start one with --serve)")
    parser.add_argument("--serve", help="path of the i2v executable to start on a free port")
    parser.add_argument("--image", default=os.path.join(ROOT, "Tests", "ServerTests", "Fixtures", "mug.jpg"))
    parser.add_argument("--title", default="北欧陶瓷马克杯 350ml")
    parser.add_argument("--language", default="zh-CN")
    parser.add_argument("--screenshots", default=os.path.join(ROOT, "docs", "screenshots"))
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed for the video to be generated")
    args = parser.parse_args()
    if not args.url and not args.serve:
        parser.error("give --url or --serve")

    driver_binary = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not os.path.exists(driver_binary):
        sys.exit("chromedriver not found: install chromium and chromium-driver (I2V_WITH_BROWSER=1 scripts/bootstrap.sh)")

    scratch = tempfile.mkdtemp(prefix="i2v-ui-")
    server = None
    driver_port = free_port()
    driver = subprocess.Popen([driver_binary, f"--port={driver_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = None
    try:
        if args.serve:
            server, url = start_server(os.path.abspath(args.serve), scratch)
        else:
            url = args.url.rstrip("/")
        wait_for("chromedriver", lambda: http("GET", f"http://127.0.0.1:{driver_port}/status", timeout=2)["value"]["ready"], 30)
        browser = Browser(driver_port, args.language, 1280, 1100)
        shots = args.screenshots

        print(f"UI test against {url}")
        browser.go(url + "/")
        wait_for("the form", lambda: visible(browser, "#create-form"), 30)

        print("- a file that is not an image is explained in plain words")
        bad = os.path.join(scratch, "notes.png")
        with open(bad, "w") as f:
            f.write("this is not a picture")
        browser.type("#file", bad)
        browser.type("#title", "测试")
        browser.click("#generate")
        message = wait_for("the error message", lambda: visible(browser, "#form-error") and text(browser, "#form-error"), 30)
        print(f"  shown: {message}")
        browser.screenshot(os.path.join(shots, "ui-error.png"))
        browser.go(url + "/")
        wait_for("the form", lambda: visible(browser, "#create-form"), 30)

        print("- upload a photo and type a title: the plan is suggested")
        browser.type("#file", os.path.abspath(args.image))
        wait_for("the preview", lambda: browser.js("const i = document.getElementById('preview'); return !i.hidden && i.naturalWidth > 0;"), 30)
        browser.type("#title", args.title)
        suggestion = wait_for("the suggestion", lambda: text(browser, "#suggestion"), 30)
        print(f"  suggestion: {suggestion}")
        browser.screenshot(os.path.join(shots, "ui-form.png"))

        print("- generate and watch the progress")
        started = time.monotonic()
        browser.click("#generate")
        wait_for("the job panel", lambda: visible(browser, "#job-panel"), 30)
        progress_seen = []

        def finished():
            state = browser.js("return [document.getElementById('job-status').className, document.getElementById('job-progress').value, document.getElementById('job-step').textContent];")
            progress_seen.append(state[1])
            if "failed" in state[0] or "cancelled" in state[0]:
                raise RuntimeError(f"the job ended {state[0]}: {text(browser, '#job-error')}")
            return "succeeded" in state[0]

        shot_taken = False
        deadline = time.monotonic() + args.timeout
        while not finished():
            if not shot_taken and 0 < progress_seen[-1] < 1:
                browser.screenshot(os.path.join(shots, "ui-progress.png"))
                shot_taken = True
            if time.monotonic() > deadline:
                raise TimeoutError("the video was not generated in time")
            time.sleep(0.1)
        distinct = sorted(set(round(v, 3) for v in progress_seen))
        print(f"  succeeded after {time.monotonic() - started:.1f} s; progress values seen: {len(distinct)} ({distinct[:3]} … {distinct[-3:]})")

        print("- the video plays")
        playing = wait_for("the video to play", lambda: browser.js(
            "const v = document.getElementById('player');"
            "return (!v.hidden && v.readyState >= 2 && v.currentTime > 0 && v.videoWidth > 0) ? [v.videoWidth, v.videoHeight, v.duration, v.currentTime] : null;"), 60)
        print(f"  playing {playing[0]}x{playing[1]}, duration {playing[2]:.2f} s, at {playing[3]:.2f} s")
        downloads = browser.js("return [...document.querySelectorAll('#downloads a')].map(a => a.textContent);")
        print(f"  downloads: {downloads}")
        qc = text(browser, "#qc")
        if not qc:
            raise RuntimeError("no QC report shown")
        browser.js("const v = document.getElementById('player'); v.pause(); v.currentTime = Math.min(0.5, v.duration / 2);")
        wait_for("the paused frame", lambda: browser.js("const v = document.getElementById('player'); return v.paused && !v.seeking && v.readyState >= 2;"), 10)
        browser.screenshot(os.path.join(shots, "ui-result.png"))

        print("- the history gallery lists it")
        browser.click("[data-tab=history]")
        wait_for("a history tile", lambda: browser.js("return document.querySelectorAll('#gallery .tile').length > 0;"), 30)
        wait_for("the poster thumbnail", lambda: browser.js("const i = document.querySelector('#gallery .tile img'); return !!i && i.complete && i.naturalWidth > 0;"), 30)
        browser.screenshot(os.path.join(shots, "ui-history.png"))

        print("- a batch (zip of photos + CSV) runs with per-item progress")
        import zipfile
        archive = os.path.join(scratch, "catalogue.zip")
        with zipfile.ZipFile(archive, "w") as z:
            z.write(os.path.abspath(args.image), "photos/cup.jpg")
            z.writestr("products.csv", "image,title\ncup.jpg,Espresso cup\ncup.jpg,咖啡杯 礼盒装\n")
        browser.click("[data-tab=batch]")
        browser.type("#batch-file", archive)
        browser.type("#batch-title", "UI test batch")
        browser.click("#batch-form button[type=submit]")
        wait_for("the batch table", lambda: browser.js("return document.querySelectorAll('#batch-items tr').length;") == 2, 30)
        summary = wait_for("the batch to finish", lambda: browser.js(
            "const rows = [...document.querySelectorAll('#batch-items tr')];"
            "return rows.length === 2 && rows.every(r => r.querySelector('a')) ? document.getElementById('batch-summary').textContent : null;"), args.timeout)
        print(f"  {summary}")
        href = browser.js("return document.getElementById('batch-download').getAttribute('href');")
        if not href or "/archive" not in href:
            raise RuntimeError(f"no archive link: {href!r}")
        browser.screenshot(os.path.join(shots, "ui-batch.png"))

        print("- the templates tab lists templates")
        browser.click("[data-tab=templates]")
        count = wait_for("template tiles", lambda: browser.js("return document.querySelectorAll('#template-list .tile').length;"), 30)
        print(f"  {count} templates")
        browser.screenshot(os.path.join(shots, "ui-templates.png"))
        print("UI test passed")
    finally:
        if browser:
            browser.close()
        driver.terminate()
        if server:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

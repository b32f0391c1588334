"""Headless Chromium driven over the DevTools protocol, for tests that look at a running Odoo as
a person would. Console errors, uncaught exceptions and failed loads the browser reports are
collected in ``errors``."""

import json
import resource
import shutil
import subprocess
import time
import urllib.request

import websocket

FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--remote-allow-origins=*", "--remote-debugging-port=0",
    "--window-size=1440,900",
]  # fmt: skip


def _no_memory_limit():
    """Chromium reserves far more address space than it uses: the limit Odoo's server sets on
    its own process (``limit_memory_hard``, inherited by children once pytest-odoo has started
    the HTTP server in this process) would kill it at start, as Odoo's own browser launcher
    knows (it lifts the limit the same way)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


class Chromium:
    def __init__(self, tmp_path, deadline=60):
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        assert binary, "chromium is not installed: run make setup"
        self.profile = tmp_path / "chromium-profile"
        self.errors = []
        self._id = 0
        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=_no_memory_limit,  # noqa: PLW1509 (one setrlimit call, as Odoo does)
        )  # fmt: skip
        try:
            port_file = self.profile / "DevToolsActivePort"
            self._until(lambda: port_file.is_file() and port_file.read_text().strip(), deadline, "Chromium to start")
            port = port_file.read_text().split()[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
                page = next(target for target in json.load(answer) if target["type"] == "page")
            self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.send(f"{domain}.enable")
        except BaseException:
            self.process.kill()  # no browser left behind by a failed start
            self.process.wait(timeout=30)
            raise

    def _until(self, condition, deadline, what):
        """Waits for ``condition``, reading the browser's events meanwhile; fails after ``deadline`` s."""
        end = time.monotonic() + deadline
        while not condition():
            assert self.process.poll() is None, "Chromium exited"
            assert time.monotonic() < end, f"waited {deadline} s for {what}"
            if getattr(self, "socket", None):
                self._read(timeout=0.2)
            else:
                time.sleep(0.1)  # Chromium has not opened its port yet: nothing to read from

    def _read(self, timeout=None):
        self.socket.settimeout(timeout)
        try:
            message = json.loads(self.socket.recv())
        except websocket.WebSocketTimeoutException:
            return None
        self._event(message)
        return message

    def _event(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"])
            self.errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(f"exception: {details.get('exception', {}).get('description', details['text'])}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.errors.append(f"log: {entry['text']} {entry.get('url', '')}".strip())

    def send(self, method, **params):
        self._id += 1
        self.socket.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = self._read(timeout=60)
            assert message is not None, f"no answer from Chromium to {method}"
            if message.get("id") == self._id:
                assert "error" not in message, f"{method}: {message['error']}"
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def set_cookie(self, url, name, value):
        self.send("Network.setCookie", url=url, name=name, value=value)

    def open(self, url, deadline=60):
        self.send("Page.navigate", url=url)
        self._until(lambda: self.evaluate("document.readyState") == "complete", deadline, f"{url} to load")

    def wait_for(self, expression, deadline=60):
        self._until(lambda: self.evaluate(expression), deadline, expression)

    def screenshot(self, path):
        import base64

        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=30)

"""The set-up (tools/setup_env.py, behind make setup / demo / test): which Odoo source it takes,
the pins it installs for each Python, what it refuses with one clear line, that an unpack is
atomic, that a run with everything present starts no package manager, and that a venv built
from the tarball in a temporary folder imports Odoo, even after the first attempt was killed."""

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest
from odoo_process import REPO

_spec = importlib.util.spec_from_file_location("setup_env", REPO / "tools" / "setup_env.py")
setup_env = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(setup_env)
SetupError = setup_env.SetupError

REQUIREMENTS = """\
# a comment line
Babel==2.9.1 ; python_version < '3.11'  # a comment after the marker
Babel==2.10.3 ; python_version >= '3.11'
gevent==21.8.0 ; sys_platform != 'win32' and python_version == '3.10'
gevent==22.10.2; sys_platform != 'win32' and python_version > '3.10' and python_version < '3.12'
gevent==24.2.1 ; sys_platform != 'win32' and python_version >= '3.12'
lxml==4.8.0 ; python_version <= '3.10'
lxml==4.9.3 ; python_version > '3.10' and python_version < '3.12'
lxml==5.2.1; python_version >= '3.12'
lxml-html-clean; python_version >= '3.12'
psycopg2==2.9.2 ; python_version == '3.10'
psycopg2==2.9.5 ; python_version == '3.11'
psycopg2==2.9.9 ; python_version >= '3.12'
pypiwin32 ; sys_platform == 'win32'
python-ldap==3.4.0 ; sys_platform != 'win32' and python_version < '3.12'
python-ldap==3.4.4 ; sys_platform != 'win32' and python_version >= '3.12'
pytz  # no version pinning
"""
PINS_312 = ["Babel==2.10.3", "gevent==24.2.1", "lxml==5.2.1", "lxml-html-clean", "psycopg2-binary==2.9.9", "pytz"]


def fake_odoo_tree(folder, series="18, 0"):
    """A folder that looks like Odoo's source to the set-up: setup.py and odoo/release.py."""
    (folder / "odoo").mkdir(parents=True)
    (folder / "odoo" / "release.py").write_text(f"FINAL = 'final'\nversion_info = ({series}, 0, FINAL, 0, '')\n")
    (folder / "odoo" / "__init__.py").write_text("")
    (folder / "setup.py").write_text("")
    (folder / "requirements.txt").write_text("pytz\n")
    return folder


def fake_tarball(tmp_path, name="odoo-18.0.tar.xz", series="18, 0", sums=True):
    tree = fake_odoo_tree(tmp_path / "src" / "odoo-18.0", series)
    folder = tmp_path / "shared"
    folder.mkdir(exist_ok=True)
    tarball = folder / name
    with tarfile.open(tarball, "w:xz") as archive:
        archive.add(tree, arcname="odoo-18.0")
    if sums:
        (folder / "SHA256SUMS").write_text(f"{setup_env.sha256_of(tarball)}  {name}\n")
    return tarball


def cache_content(cache):
    return sorted(path.name for path in cache.iterdir()) if cache.exists() else []


# ---------------------------------------------------------------------------
# Which source
# ---------------------------------------------------------------------------


def test_source_is_odoo_source_then_shared_tarball_then_git(tmp_path):
    tree = fake_odoo_tree(tmp_path / "tree")
    tarball = fake_tarball(tmp_path)
    missing = tmp_path / "nothing-here.tar.xz"
    assert setup_env.choose_source({"ODOO_SOURCE": str(tree)}, tarball) == ("directory", tree)
    assert setup_env.choose_source({"ODOO_SOURCE": str(tarball)}, missing) == ("tarball", tarball)
    assert setup_env.choose_source({}, tarball) == ("shared", tarball)
    assert setup_env.choose_source({}, missing) == ("git", setup_env.ODOO_GIT_URL)
    assert setup_env.SHARED_TARBALL == REPO.parent / "shared" / "odoo" / "odoo-18.0.tar.xz"


def test_odoo_source_directory_is_used_in_place(tmp_path):
    tree = fake_odoo_tree(tmp_path / "tree")
    cache = tmp_path / "cache"
    assert setup_env.ensure_source({"ODOO_SOURCE": str(tree)}, cache, tmp_path / "none.tar.xz") == tree
    assert cache_content(cache) == []


def test_odoo_source_neither_directory_nor_tarball(tmp_path):
    other = tmp_path / "odoo.zip"
    other.write_text("")
    with pytest.raises(SetupError, match=r"ODOO_SOURCE=.*odoo\.zip is neither a directory nor a \.tar\.xz"):
        setup_env.choose_source({"ODOO_SOURCE": str(other)})


def test_odoo_source_of_another_version_is_refused(tmp_path):
    tree = fake_odoo_tree(tmp_path / "tree", series="17, 0")
    with pytest.raises(SetupError, match=r"holds Odoo 17\.0, not 18\.0 \(odoo/release\.py\)"):
        setup_env.ensure_source({"ODOO_SOURCE": str(tree)}, tmp_path / "cache")
    not_odoo = tmp_path / "not-odoo"
    not_odoo.mkdir()
    with pytest.raises(SetupError, match="does not hold Odoo"):
        setup_env.ensure_source({"ODOO_SOURCE": str(not_odoo)}, tmp_path / "cache")
    tarball = fake_tarball(tmp_path, name="odoo-17.0.tar.gz", series="17, 0", sums=False)
    cache = tmp_path / "cache"
    with pytest.raises(SetupError, match=r"holds Odoo 17\.0"):
        setup_env.ensure_source({"ODOO_SOURCE": str(tarball)}, cache)
    assert cache_content(cache) == [], "nothing half-unpacked is left"


# ---------------------------------------------------------------------------
# Requirements
# ---------------------------------------------------------------------------


def test_requirement_pins_per_python():
    on_310, left_out = setup_env.odoo_requirements(REQUIREMENTS, (3, 10))
    assert on_310 == ["Babel==2.9.1", "gevent==21.8.0", "lxml==4.8.0", "psycopg2-binary==2.9.2", "pytz"]
    assert left_out == ["python-ldap"]
    # 3.11 takes the pins meant for 3.12: they ship wheels for 3.11
    assert setup_env.odoo_requirements(REQUIREMENTS, (3, 11)) == (PINS_312, ["python-ldap"])
    assert setup_env.odoo_requirements(REQUIREMENTS, (3, 12)) == (PINS_312, ["python-ldap"])


def test_requirements_of_the_real_odoo_source():
    """Odoo's own requirements.txt, from the source this suite runs on, evaluated for 3.11."""
    import odoo

    text = (Path(odoo.__file__).resolve().parent.parent / "requirements.txt").read_text()
    wanted, left_out = setup_env.odoo_requirements(text, (3, 11))
    assert "psycopg2-binary==2.9.9" in wanted and "lxml==5.2.1" in wanted and "Werkzeug==3.0.1" in wanted
    assert not [line for line in wanted if line.lower().startswith(("psycopg2==", "python-ldap", "pypiwin32"))]
    assert left_out == ["python-ldap"]
    assert all(";" not in line for line in wanted)


def test_unsupported_python_is_refused(tmp_path):
    fake = tmp_path / "python3"
    # answers the version probe as Python 3.13, and runs the set-up script itself
    fake.write_text(f'#!/bin/sh\n[ "$1" = "-c" ] && {{ echo 3.13; exit 0; }}\nexec {sys.executable} "$@"\n')
    fake.chmod(0o755)
    venv = tmp_path / "venv"
    environ = {key: value for key, value in os.environ.items() if key != "PYTHON"}
    done = subprocess.run(
        [REPO / "tools" / "setup.sh", "--venv", venv, "--cache", tmp_path / "cache"],
        env={**environ, "AR_BASE_PYTHON": str(fake)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert done.returncode == 2
    expected = f"ERROR: {fake} is Python 3.13; Odoo 18.0 runs on Python 3.10 to 3.12"
    assert len(lines) == 1 and lines[0].startswith(expected)
    assert not venv.exists()


def test_python_that_cannot_import_odoo_is_refused(tmp_path):
    with pytest.raises(SetupError, match=r"PYTHON=/bin/false cannot import Odoo 18\.0"):
        setup_env.setup({"PYTHON": "/bin/false"}, tmp_path / "venv", tmp_path / "cache")


def test_a_python_that_imports_odoo_is_used_as_it_is(tmp_path):
    trace = tmp_path / "trace"
    python = setup_env.setup({"PYTHON": sys.executable, "AR_SETUP_TRACE": str(trace)}, tmp_path / "v", tmp_path / "c",
                             system=False)  # fmt: skip
    assert python == Path(sys.executable)
    assert not (tmp_path / "v").exists() and not (tmp_path / "c").exists()
    assert not trace.exists(), trace.read_text()


# ---------------------------------------------------------------------------
# The tarball: sha256, atomic unpack
# ---------------------------------------------------------------------------


def test_tarball_with_wrong_sha256_is_refused(tmp_path):
    tarball = fake_tarball(tmp_path)
    (tarball.parent / "SHA256SUMS").write_text(f"{'0' * 64}  {tarball.name}\n")
    cache = tmp_path / "cache"
    with pytest.raises(SetupError, match=r"odoo-18\.0\.tar\.xz has sha256 [0-9a-f]{64}, but SHA256SUMS says 0{64}"):
        setup_env.ensure_source({}, cache, tarball)
    assert cache_content(cache) == []
    (tarball.parent / "SHA256SUMS").write_text("")
    with pytest.raises(SetupError, match="SHA256SUMS has no line for odoo-18.0.tar.xz"):
        setup_env.ensure_source({}, cache, tarball)


def test_shared_tarball_is_unpacked_once_and_again_when_it_changes(tmp_path, monkeypatch):
    tarball = fake_tarball(tmp_path)
    cache = tmp_path / "cache"
    tree = setup_env.ensure_source({}, cache, tarball)
    assert tree == cache / "odoo-18.0" and setup_env.odoo_series(tree) == (18, 0)
    assert (tree / ".ar_source").read_text() == f"sha256 {setup_env.sha256_of(tarball)}"
    assert cache_content(cache) == ["odoo-18.0"]

    def no_unpack(*args):
        raise AssertionError("unpacked again")

    with monkeypatch.context() as patch:
        patch.setattr(setup_env, "unpack", no_unpack)
        assert setup_env.ensure_source({}, cache, tarball) == tree
    # another tarball (another sha256) replaces the tree
    (tmp_path / "src" / "odoo-18.0" / "NEW").write_text("new")
    with tarfile.open(tarball, "w:xz") as archive:
        archive.add(tmp_path / "src" / "odoo-18.0", arcname="odoo-18.0")
    (tarball.parent / "SHA256SUMS").write_text(f"{setup_env.sha256_of(tarball)}  {tarball.name}\n")
    assert (setup_env.ensure_source({}, cache, tarball) / "NEW").read_text() == "new"
    assert cache_content(cache) == ["odoo-18.0"]


def test_unpack_is_atomic(tmp_path, monkeypatch):
    tarball = fake_tarball(tmp_path)
    cache = tmp_path / "cache"

    def extract_half(self, path, members=None, **kwargs):
        (Path(path) / "odoo-18.0").mkdir()
        (Path(path) / "odoo-18.0" / "half-written").write_text("")
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(tarfile.TarFile, "extractall", extract_half)
        with pytest.raises(SetupError, match="cannot be unpacked"):
            setup_env.ensure_source({}, cache, tarball)
    assert cache_content(cache) == [], "no half tree, no temporary folder"

    # a run killed while unpacking leaves its temporary folder: the next run removes it and unpacks
    leftover = cache / "odoo-18.0.tmp-killed" / "odoo-18.0" / "odoo"
    leftover.mkdir(parents=True)
    (leftover / "release.py").write_text("version_info = (18, 0")
    tree = setup_env.ensure_source({}, cache, tarball)
    assert cache_content(cache) == ["odoo-18.0"] and setup_env.odoo_series(tree) == (18, 0)


def test_tarball_with_paths_outside_its_folder_is_refused(tmp_path):
    evil = tmp_path / "evil.tar.gz"
    (tmp_path / "payload").write_text("x")
    with tarfile.open(evil, "w:gz") as archive:
        archive.add(tmp_path / "payload", arcname="../../payload")
    with pytest.raises(SetupError, match="holds a path outside its folder"):
        setup_env.ensure_source({"ODOO_SOURCE": str(evil)}, tmp_path / "cache")
    assert cache_content(tmp_path / "cache") == []


# ---------------------------------------------------------------------------
# The clone
# ---------------------------------------------------------------------------


def test_no_network_and_no_tarball(tmp_path):
    cache = tmp_path / "cache"
    environ = {"AR_ODOO_GIT_URL": f"file://{tmp_path}/no-such-repository"}
    expected = r"cannot clone Odoo 18\.0 from file://.*no-such-repository .* set ODOO_SOURCE"
    with pytest.raises(SetupError, match=expected):
        setup_env.ensure_source(environ, cache, tmp_path / "no-tarball.tar.xz")
    assert cache_content(cache) == []


def test_clone_of_branch_18(tmp_path):
    origin = fake_odoo_tree(tmp_path / "origin")
    git = ["git", "-C", origin, "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q", "-b", "18.0"], ["add", "."], ["commit", "-q", "-m", "18.0"]):
        subprocess.run([*git, *command], check=True)
    cache = tmp_path / "cache"
    environ = {"AR_ODOO_GIT_URL": f"file://{origin}"}
    tree = setup_env.ensure_source(environ, cache, tmp_path / "no-tarball.tar.xz")
    assert setup_env.odoo_series(tree) == (18, 0) and (tree / ".ar_source").read_text() == f"git file://{origin}"
    # cloned once: a later run needs no network (the origin is gone)
    shutil.rmtree(origin)
    assert setup_env.ensure_source(environ, cache, tmp_path / "no-tarball.tar.xz") == tree
    assert cache_content(cache) == ["odoo-18.0"]


# ---------------------------------------------------------------------------
# System packages and PostgreSQL
# ---------------------------------------------------------------------------


class Recorder:
    """Stands in for setup_env.run: records the commands, answers each with success."""

    def __init__(self, answers=None):
        self.commands, self.answers = [], answers or {}

    def __call__(self, command, **kwargs):
        line = " ".join(str(part) for part in command)
        self.commands.append(line)
        stdout = next((out for key, out in self.answers.items() if key in line), "")
        return subprocess.CompletedProcess(command, 0, stdout=stdout, stderr="")


def test_missing_system_packages_are_installed_with_apt(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(setup_env, "run", recorder)
    monkeypatch.setattr(setup_env, "privilege_prefix", list)
    monkeypatch.setattr(setup_env.shutil, "which", lambda name: f"/usr/bin/{name}")
    checks = {"wkhtmltopdf": lambda: False, "chromium": lambda: True, "fonts-dejavu-core": lambda: False}
    missing = setup_env.missing_system_packages(checks)
    assert missing == ["wkhtmltopdf", "fonts-dejavu-core"]
    setup_env.apt_install(missing, "missing system packages")
    assert recorder.commands == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends wkhtmltopdf fonts-dejavu-core",
    ]
    assert setup_env.missing_system_packages({"chromium": lambda: True}) == []


def test_without_root_or_apt_the_set_up_names_what_to_install(monkeypatch):
    assert setup_env.privilege_prefix(geteuid=lambda: 0) == []
    assert setup_env.privilege_prefix(geteuid=lambda: 1000, which=lambda name: None) is None
    monkeypatch.setattr(setup_env, "run", Recorder())
    monkeypatch.setattr(setup_env, "privilege_prefix", lambda: None)
    with pytest.raises(SetupError, match="missing system packages: install wkhtmltopdf chromium with your system's"):
        setup_env.apt_install(["wkhtmltopdf", "chromium"], "missing system packages")


def test_postgres_that_answers_is_left_alone(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(setup_env, "run", recorder)
    assert setup_env.ensure_postgres(sys.executable, {}) is False  # this suite's own server answers
    assert recorder.commands == []


def test_postgres_elsewhere_is_not_managed(monkeypatch, tmp_path):
    monkeypatch.setattr(setup_env, "run", Recorder())
    monkeypatch.setattr(setup_env, "postgres_answers", lambda python: False)
    with pytest.raises(SetupError, match=r"PostgreSQL does not answer at PGHOST=/nowhere as user '\w+'"):
        setup_env.ensure_postgres(sys.executable, {"PGHOST": "/nowhere"})


def test_postgres_missing_is_installed_started_and_given_a_role(monkeypatch):
    recorder = Recorder()
    answers = iter([False, True])  # not answering before, answering after
    monkeypatch.setattr(setup_env, "run", recorder)
    monkeypatch.setattr(setup_env, "postgres_answers", lambda python: next(answers))
    monkeypatch.setattr(setup_env, "privilege_prefix", list)
    monkeypatch.setattr(setup_env, "postgres_user", lambda: "alice")
    which = {"apt-get": "/usr/bin/apt-get"}
    monkeypatch.setattr(setup_env.shutil, "which", which.get)
    monkeypatch.setattr(setup_env.os, "listdir", lambda path: ["15"])
    assert setup_env.ensure_postgres(sys.executable, {}) is True
    assert recorder.commands == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends postgresql",
        "pg_lsclusters --no-header",
        "pg_createcluster 15 main",
        "pg_ctlcluster --skip-systemctl-redirect 15 main start",
        "runuser -u postgres -- psql -tAc SELECT 1 FROM pg_roles WHERE rolname = 'alice'",
        "runuser -u postgres -- createuser --createdb alice",
    ]


# ---------------------------------------------------------------------------
# The real thing
# ---------------------------------------------------------------------------


def test_everything_present_runs_no_package_manager(tmp_path):
    """What make demo / make test run first when the machine is ready: no pip, no apt, no git."""
    trace = tmp_path / "trace"
    environ = {**os.environ, "AR_SETUP_TRACE": str(trace)}
    venv_python = REPO / ".venv" / "bin" / "python"
    if Path(sys.executable) == venv_python:  # this suite runs in the project's venv
        environ.pop("PYTHON", None)
        expected = venv_python
    else:  # this suite runs on the user's own Odoo (PYTHON=...)
        environ["PYTHON"] = sys.executable
        expected = Path(sys.executable)
    done = subprocess.run([REPO / "tools" / "setup.sh", "--print-python"], env=environ, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(expected) and done.stderr == ""
    assert not trace.exists(), trace.read_text()


def test_venv_from_the_tarball_imports_odoo_even_after_a_killed_first_run(tmp_path):
    """Builds a venv from ../shared/odoo/odoo-18.0.tar.xz in a temporary folder (pip's cache
    makes it minutes): a first run killed while unpacking, then a run that completes it."""
    if not setup_env.SHARED_TARBALL.is_file():  # a clone away from this project's machines: said in the summary
        pytest.skip(f"no {setup_env.SHARED_TARBALL} beside this checkout to build a venv from")
    venv, cache = tmp_path / "venv", tmp_path / "cache"
    environ = {key: value for key, value in os.environ.items() if key not in ("PYTHON", "ODOO_SOURCE")}
    environ["AR_BASE_PYTHON"] = getattr(sys, "_base_executable", sys.executable)
    command = [sys.executable, REPO / "tools" / "setup_env.py", "--venv", venv, "--cache", cache,
               "--no-system", "--no-test-requirements", "--print-python"]  # fmt: skip

    first = subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # kill it once it is unpacking: its temporary folder has some of Odoo in it
    stop = threading.Event()
    while first.poll() is None and not any(cache.glob("odoo-18.0.tmp-*/odoo-18.0/*")):
        stop.wait(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert first.returncode == -signal.SIGKILL, "the first run ended before it could be killed"
    assert not (cache / "odoo-18.0").exists() and list(cache.glob("odoo-18.0.tmp-*"))

    second = subprocess.run(command, env=environ, capture_output=True, text=True, timeout=1500, check=False)
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.stdout.strip() == str(venv / "bin" / "python")
    assert cache_content(cache) == ["odoo-18.0"], "the killed run's temporary folder is gone"
    probe = "import odoo, odoo.release as r; print(odoo.__file__); print(r.version_info[:2])"
    done = subprocess.run([venv / "bin" / "python", "-c", probe], capture_output=True, text=True, check=True)
    path, series = done.stdout.split()[0], " ".join(done.stdout.split()[1:])
    assert path == str(cache / "odoo-18.0" / "odoo" / "__init__.py") and series == "(18, 0)"
    # and now it is complete: a third run installs nothing
    trace = tmp_path / "trace"
    third = subprocess.run(command, env={**environ, "AR_SETUP_TRACE": str(trace)}, capture_output=True, text=True,
                           check=False)  # fmt: skip
    assert third.returncode == 0 and not trace.exists(), third.stderr


# ---------------------------------------------------------------------------
# OCA addons from their wheels
# ---------------------------------------------------------------------------


def fake_wheel_download(calls, members):
    def download(python, requirements, destination):
        calls.append(requirements.read_text())
        with zipfile.ZipFile(destination / "odoo_addon_x-1-py3-none-any.whl", "w") as wheel:
            for name, text in members.items():
                wheel.writestr(name, text)

    return download


def test_oca_addons_are_unpacked_from_their_wheels_once(tmp_path):
    requirements = tmp_path / "requirements-oca.txt"
    requirements.write_text("odoo-addon-x==1\n")
    calls = []
    download = fake_wheel_download(calls, {
        "odoo/addons/x/__manifest__.py": "{'name': 'X'}", "odoo/addons/x/__init__.py": "",
        "odoo_addon_x-1.dist-info/METADATA": "Name: odoo-addon-x",
    })  # fmt: skip
    cache = tmp_path / "cache"
    assert setup_env.ensure_oca_addons("python", cache, requirements, download)
    assert (cache / "oca-addons" / "x" / "__manifest__.py").read_text() == "{'name': 'X'}"
    assert sorted(p.name for p in (cache / "oca-addons").iterdir()) == [".ar_stamp", "x"]
    assert not setup_env.ensure_oca_addons("python", cache, requirements, download), "nothing to do"
    requirements.write_text("odoo-addon-x==2\n")
    assert setup_env.ensure_oca_addons("python", cache, requirements, download), "another pin: again"
    assert calls == ["odoo-addon-x==1\n", "odoo-addon-x==2\n"]
    assert not list(cache.glob("tmp*")), "no work folder left"


def test_a_wheel_without_an_addon_is_refused(tmp_path):
    requirements = tmp_path / "requirements-oca.txt"
    requirements.write_text("odoo-addon-x==1\n")
    download = fake_wheel_download([], {"x/__init__.py": ""})
    with pytest.raises(SetupError, match=r"odoo_addon_x-1-py3-none-any\.whl holds no Odoo addon under odoo/addons/"):
        setup_env.ensure_oca_addons("python", tmp_path / "cache", requirements, download)
    assert not (tmp_path / "cache" / "oca-addons" / ".ar_stamp").exists()

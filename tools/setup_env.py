"""The set-up behind ``make setup`` (and the first step of ``make demo`` and ``make test``).

It makes sure this machine can run ar_collections, installing only what is missing:

1. Python: a project virtualenv ``.venv/`` made from ``python3`` (3.10 to 3.12), unless
   ``PYTHON`` names an interpreter that already imports Odoo 18.0 (then nothing is installed).
2. Odoo 18.0, from the first of: ``ODOO_SOURCE`` (a directory or a .tar.xz / .tar.gz), the copy
   kept beside the checkout (``../shared/odoo/odoo-18.0.tar.xz``, checked against its
   SHA256SUMS), a shallow clone of Odoo's public repository. Tarballs and clones go under
   ``.cache/`` through a temporary folder renamed when complete. It is installed editable into
   the venv with its requirements evaluated for the running Python, then the test requirements.
3. With the test requirements, the OCA addons of ``requirements-oca.txt`` (queue_job), each
   unpacked from its PyPI wheel into ``.cache/oca-addons/``, which the tools put on Odoo's
   addons path.
4. System packages (wkhtmltopdf, chromium, fonts) through apt-get, and PostgreSQL when it does
   not answer on the local socket.

When everything is there it starts no package manager. Every failure is one line on stderr
starting with "ERROR:" and exit status 2; a run killed half-way is completed by the next one.
"""

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
ODOO_SERIES = (18, 0)
SUPPORTED_PYTHONS = ((3, 10), (3, 11), (3, 12))
ODOO_GIT_URL = "https://github.com/odoo/odoo.git"
SHARED_TARBALL = REPO_DIR.parent / "shared" / "odoo" / "odoo-18.0.tar.xz"
# Bump when what the set-up installs changes in a way the stamp would not see.
STAMP_VERSION = "1"

# Debian packages the addon needs at run time, each with how to tell it is there.
SYSTEM_PACKAGES = {
    "wkhtmltopdf": lambda: bool(shutil.which("wkhtmltopdf")),  # statement and letter PDFs
    "chromium": lambda: bool(shutil.which("chromium") or shutil.which("chromium-browser")),  # browser tests
    "fonts-dejavu-core": lambda: _has_fonts(),  # text in the PDFs
    "fontconfig": lambda: bool(shutil.which("fc-list")),  # how wkhtmltopdf and Chromium find them
}


class SetupError(Exception):
    """A problem the user must fix; printed as one line, exit status 2."""


def log(message):
    print(f"setup: {message}", file=sys.stderr, flush=True)


def run(command, **kwargs):
    """Run an external command (recorded in AR_SETUP_TRACE when set, for the tests)."""
    trace = os.environ.get("AR_SETUP_TRACE")
    if trace:
        with open(trace, "a", encoding="utf-8") as handle:
            handle.write(" ".join(str(part) for part in command) + "\n")
    return subprocess.run([str(part) for part in command], check=False, **kwargs)


def _has_fonts():
    return any(Path(folder).is_dir() and next(Path(folder).rglob("*.ttf"), None)
               for folder in ("/usr/share/fonts", "/usr/local/share/fonts"))  # fmt: skip


# ---------------------------------------------------------------------------
# Python
# ---------------------------------------------------------------------------


def python_version(python):
    """(major, minor) of an interpreter, or SetupError when it does not run."""
    try:
        done = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    except OSError as error:
        raise SetupError(f"cannot run {python} ({error.strerror}): install Python 3.10 to 3.12") from error
    if done.returncode != 0:
        raise SetupError(f"cannot run {python}: install Python 3.10 to 3.12")
    major, minor = done.stdout.strip().split(".")
    return int(major), int(minor)


def check_supported(python, version):
    if version not in SUPPORTED_PYTHONS:
        raise SetupError(
            f"{python} is Python {version[0]}.{version[1]}; Odoo 18.0 runs on Python 3.10 to 3.12: "
            "install one of those, or name it with AR_BASE_PYTHON=/path/to/python3.12"
        )


def finds_odoo_18(python):
    """True when ``python`` finds an Odoo 18.0 package (located, not imported: importing Odoo
    takes seconds, and the fast path of a ready machine must not)."""
    code = "import importlib.util as u; print(list(u.find_spec('odoo').submodule_search_locations)[0])"
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    return done.returncode == 0 and odoo_series(Path(done.stdout.strip()).parent) == ODOO_SERIES


def imports_odoo_18(python):
    """True when ``python`` imports Odoo 18.0 (and psycopg2, which Odoo needs anyway)."""
    code = "import odoo.release as r, psycopg2, sys; sys.exit(0 if tuple(r.version_info[:2]) == (18, 0) else 1)"
    try:
        done = subprocess.run([python, "-c", code], capture_output=True, check=False)
    except OSError:
        return False
    return done.returncode == 0


# ---------------------------------------------------------------------------
# Odoo's requirements
# ---------------------------------------------------------------------------


def marker_python(version):
    """The Python version Odoo's requirement markers are evaluated for.

    On 3.11 the pins meant for 3.12 are used: they ship wheels for 3.11, while several 3.11 pins
    (old lxml, psycopg2, gevent) only come as sources that need a compiler and headers.
    """
    return (3, 12) if version == (3, 11) else version


def _packaging():
    """packaging's Marker and Requirement, from this interpreter, or None when it has neither
    packaging nor pip (Debian's python3 without python3-pip)."""
    try:
        from packaging.markers import Marker
        from packaging.requirements import Requirement
    except ImportError:
        try:  # pip vendors it
            from pip._vendor.packaging.markers import Marker
            from pip._vendor.packaging.requirements import Requirement
        except ImportError:
            return None
    return Marker, Requirement


def requirements_for(python, tree, version):
    """odoo_requirements() of ``tree``, evaluated here or, lacking packaging, by the venv's python."""
    path = Path(tree) / "requirements.txt"
    if _packaging():
        return odoo_requirements(path.read_text(encoding="utf-8"), version)
    done = run([python, __file__, "--evaluate-requirements", path, "%d.%d" % version], capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SetupError(f"cannot read {path} with {python}: {reason}")
    wanted, left_out = json.loads(done.stdout)
    return wanted, left_out


def odoo_requirements(text, version):
    """Odoo's requirements.txt evaluated for ``version``: (requirement lines, packages left out)."""
    Marker, Requirement = _packaging()
    target = marker_python(version)
    environment = {
        "python_version": "%d.%d" % target,
        "python_full_version": "%d.%d.0" % target,
        "sys_platform": sys.platform,
    }
    wanted, left_out = [], []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.marker and not Marker(str(requirement.marker)).evaluate(environment):
            continue
        name = requirement.name.lower()
        if name == "python-ldap":
            # needs the OpenLDAP headers to build; only the auth_ldap addon uses it
            left_out.append(requirement.name)
            continue
        if name == "psycopg2":
            requirement.name = "psycopg2-binary"  # the wheel: no PostgreSQL headers needed
        requirement.marker = None
        wanted.append(str(requirement))
    return wanted, left_out


# ---------------------------------------------------------------------------
# Odoo's source
# ---------------------------------------------------------------------------


def odoo_series(tree):
    """(major, minor) that ``tree``'s odoo/release.py declares, or None when it holds no Odoo."""
    release = Path(tree) / "odoo" / "release.py"
    if not release.is_file() or not (Path(tree) / "setup.py").is_file():
        return None
    namespace = {}
    try:
        exec(compile(release.read_text(encoding="utf-8"), str(release), "exec"), namespace)  # noqa: S102
        return tuple(namespace["version_info"][:2])
    except Exception:  # noqa: BLE001 - anything unreadable is "not Odoo"
        return None


def check_tree(tree, origin):
    series = odoo_series(tree)
    if series is None:
        raise SetupError(
            f"{origin} does not hold Odoo (no odoo/release.py and setup.py): point ODOO_SOURCE at Odoo 18.0"
        )
    if series != ODOO_SERIES:
        raise SetupError(
            f"{origin} holds Odoo {series[0]}.{series[1]}, not 18.0 (odoo/release.py): point ODOO_SOURCE at Odoo 18.0"
        )


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expected_sha256(tarball):
    """The sha256 that the SHA256SUMS beside ``tarball`` gives it, or None when there is none."""
    sums = Path(tarball).parent / "SHA256SUMS"
    if not sums.is_file():
        return None
    for line in sums.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == Path(tarball).name:
            return parts[0].lower()
    return None


def check_sha256(tarball, required):
    """The tarball's sha256; SetupError when SHA256SUMS is required or present and it differs."""
    expected = expected_sha256(tarball)
    if expected is None and required:
        raise SetupError(f"{Path(tarball).parent / 'SHA256SUMS'} has no line for {Path(tarball).name}: restore it")
    actual = sha256_of(tarball)
    if expected is not None and actual != expected:
        raise SetupError(
            f"{tarball} has sha256 {actual}, but SHA256SUMS says {expected}: the file is damaged or "
            "not the one meant; restore it (or set ODOO_SOURCE to another copy of Odoo 18.0)"
        )
    return actual


def choose_source(environ, shared_tarball=SHARED_TARBALL):
    """Where Odoo 18.0 comes from: ("directory" | "tarball" | "shared" | "git", location)."""
    given = environ.get("ODOO_SOURCE")
    if given:
        path = Path(given).expanduser().resolve()
        if path.is_dir():
            return "directory", path
        if path.is_file() and path.name.endswith((".tar.xz", ".tar.gz", ".tgz", ".txz")):
            return "tarball", path
        raise SetupError(f"ODOO_SOURCE={given} is neither a directory nor a .tar.xz / .tar.gz of Odoo 18.0")
    if Path(shared_tarball).is_file():
        return "shared", Path(shared_tarball)
    return "git", environ.get("AR_ODOO_GIT_URL", ODOO_GIT_URL)


def _safe_members(archive, destination):
    destination = os.path.realpath(destination)
    for member in archive.getmembers():
        target = os.path.realpath(os.path.join(destination, member.name))
        if os.path.commonpath([destination, target]) != destination:
            raise SetupError(f"{archive.name} holds a path outside its folder ({member.name}): refusing it")
        if member.isdev():
            continue
        yield member


def _find_tree(folder):
    """The folder inside an unpacked archive that holds odoo/release.py (top level or one down)."""
    folder = Path(folder)
    if (folder / "odoo" / "release.py").is_file():
        return folder
    for child in sorted(folder.iterdir()):
        if (child / "odoo" / "release.py").is_file():
            return child
    return None


def _replace_dir(source, target):
    """Move ``source`` to ``target`` (same file system), the old ``target`` out of the way first."""
    target = Path(target)
    if target.exists():
        old = target.with_name(f"{target.name}.old-{os.getpid()}")
        target.rename(old)
        shutil.rmtree(old, ignore_errors=True)
    Path(source).rename(target)


def clean_leftovers(cache):
    """Temporary folders of an earlier, interrupted run: never trusted, removed."""
    if not Path(cache).is_dir():
        return
    for child in Path(cache).iterdir():
        if ".tmp-" in child.name or ".old-" in child.name:
            shutil.rmtree(child, ignore_errors=True)


@contextlib.contextmanager
def _staging(destination):
    """A temporary folder beside ``destination`` (same file system, so that the finished tree
    is renamed into place at once), removed afterwards whatever happens."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{destination.name}.tmp-", dir=destination.parent))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def unpack(tarball, destination, origin_id):
    """Unpack an Odoo 18.0 tarball into ``destination`` atomically; mark it with ``origin_id``."""
    destination = Path(destination)
    with _staging(destination) as work:
        log(f"unpacking Odoo from {tarball} into {destination} ...")
        try:
            with tarfile.open(tarball) as archive:
                # the "data" filter (Python 3.12, and 3.10 / 3.11 security releases) also vets links
                options = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                archive.extractall(work, members=_safe_members(archive, work), **options)
        except (tarfile.TarError, EOFError, OSError) as error:
            raise SetupError(
                f"{tarball} cannot be unpacked ({error}): restore it or choose another ODOO_SOURCE"
            ) from error
        tree = _find_tree(work)
        if tree is None:
            raise SetupError(f"{tarball} does not hold Odoo (no odoo/release.py): point ODOO_SOURCE at Odoo 18.0")
        check_tree(tree, tarball)
        (tree / ".ar_source").write_text(origin_id, encoding="utf-8")
        _replace_dir(tree, destination)
    return destination


def clone(url, destination):
    """Shallow clone of branch 18.0 into ``destination``, through a temporary folder."""
    if not shutil.which("git"):
        raise SetupError("git is not installed and there is no Odoo tarball: install git or set ODOO_SOURCE")
    destination = Path(destination)
    with _staging(destination) as work:
        log(f"cloning branch 18.0 of {url} (shallow) ...")
        try:
            done = run(["git", "clone", "--quiet", "--depth", "1", "--branch", "18.0", url, work / "odoo"],
                       capture_output=True, text=True, timeout=1800,
                       env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})  # fmt: skip
        except subprocess.TimeoutExpired:
            done = subprocess.CompletedProcess([], 1, "", "no answer in 30 minutes")
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no answer"])[-1]
            raise SetupError(
                f"cannot clone Odoo 18.0 from {url} ({reason}) and there is no tarball at {SHARED_TARBALL}: "
                "connect to the network, or set ODOO_SOURCE to a directory or tarball of Odoo 18.0"
            )
        check_tree(work / "odoo", url)
        (work / "odoo" / ".ar_source").write_text(f"git {url}", encoding="utf-8")
        _replace_dir(work / "odoo", destination)
    return destination


def ensure_source(environ, cache, shared_tarball=SHARED_TARBALL):
    """The Odoo 18.0 tree to install, unpacked or cloned under ``cache`` when needed."""
    kind, location = choose_source(environ, shared_tarball)
    if kind == "directory":
        check_tree(location, f"ODOO_SOURCE={location}")
        return location
    clean_leftovers(cache)
    destination = Path(cache) / "odoo-18.0"
    stamp = destination / ".ar_source"
    current = stamp.read_text(encoding="utf-8") if stamp.is_file() else None
    if kind == "git":
        if current and current.startswith("git ") and odoo_series(destination) == ODOO_SERIES:
            return destination  # cloned earlier: no network needed now
        return clone(location, destination)
    origin_id = f"sha256 {check_sha256(location, required=(kind == 'shared'))}"
    if current == origin_id and odoo_series(destination) == ODOO_SERIES:
        return destination
    return unpack(location, destination, origin_id)


# ---------------------------------------------------------------------------
# The virtualenv
# ---------------------------------------------------------------------------


def venv_python(venv):
    return Path(venv) / "bin" / "python"


def ensure_venv(base_python, venv, system=True):
    """A venv at ``venv`` with a working pip; one left broken by an interrupted run is remade.
    Debian's python3 comes without its venv module: with ``system``, python3-venv is installed."""
    python = venv_python(venv)
    if python.exists() and python_version(python) != python_version(base_python):
        log(f"{venv} is of another Python than {base_python}: making it again")
        shutil.rmtree(venv, ignore_errors=True)
    if python.exists() and (Path(venv) / ".ar_setup_stamp").is_file():
        return python  # completed earlier
    if python.exists():
        done = subprocess.run([python, "-m", "pip", "--version"], capture_output=True, check=False)
        if done.returncode == 0:
            return python
        log(f"{venv} is incomplete (an interrupted set-up?): making it again")
        shutil.rmtree(venv, ignore_errors=True)
    log(f"creating the virtualenv {venv} from {base_python} ...")
    done = run([base_python, "-m", "venv", venv], capture_output=True, text=True)
    if done.returncode != 0 and system and "ensurepip" in done.stdout + done.stderr and shutil.which("apt-get"):
        shutil.rmtree(venv, ignore_errors=True)
        apt_install(["python3-venv"], f"{base_python} has no venv module")
        done = run([base_python, "-m", "venv", venv], capture_output=True, text=True)
    if done.returncode != 0:
        shutil.rmtree(venv, ignore_errors=True)
        reason = (done.stderr.strip().splitlines() or ["unknown reason"])[-1]
        raise SetupError(
            f"cannot create a virtualenv with {base_python} ({reason}): install its venv module (Debian: python3-venv)"
        )
    return python


def pip_install(python, *arguments, what):
    log(f"installing {what} ...")
    done = run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *arguments],
               capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:]) or "no output"
        raise SetupError(f"pip could not install {what}: {tail}")


def stamp_text(tree, requirements, with_tests):
    parts = [STAMP_VERSION, str(Path(tree).resolve()), *requirements]
    source = Path(tree) / ".ar_source"
    if source.is_file():
        parts.append(source.read_text(encoding="utf-8"))
    if with_tests:
        parts.append((REPO_DIR / "requirements-test.txt").read_text(encoding="utf-8"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def ensure_python_packages(python, version, tree, venv, with_tests):
    requirements, left_out = requirements_for(python, tree, version)
    stamp = Path(venv) / ".ar_setup_stamp"
    wanted = stamp_text(tree, requirements, with_tests)
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted and finds_odoo_18(python):
        return False
    stamp.unlink(missing_ok=True)
    if left_out:
        log(f"leaving out {', '.join(left_out)} (needs system headers; only Odoo's LDAP login uses it)")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write("\n".join(requirements) + "\n")
    try:
        pip_install(python, "-r", handle.name, what=f"Odoo 18.0's Python requirements ({len(requirements)} packages)")
    finally:
        os.unlink(handle.name)
    pip_install(python, "--no-deps", "-e", tree, what=f"Odoo 18.0 from {tree} (editable)")
    if with_tests:
        pip_install(python, "-r", REPO_DIR / "requirements-test.txt", what="the test requirements")
    if not imports_odoo_18(python):
        raise SetupError(
            f"{python} still cannot import Odoo 18.0 after installing it: remove {venv} and run make setup again"
        )
    stamp.write_text(wanted, encoding="utf-8")
    return True


# ---------------------------------------------------------------------------
# OCA addons, unpacked from their wheels
# ---------------------------------------------------------------------------


def _pip_download(python, requirements, destination):
    log(f"downloading the OCA addons of {requirements.name} ...")
    done = run([python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                "-d", str(destination), "-r", str(requirements)], capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:]) or "no output"
        raise SetupError(f"pip could not download the OCA addons of {requirements.name}: {tail}")


def ensure_oca_addons(python, cache, requirements=REPO_DIR / "requirements-oca.txt", download=_pip_download):
    """The addons of the OCA wheels ``requirements`` names, each ``odoo/addons/<name>`` folder
    of a wheel unpacked into ``cache/oca-addons/<name>``; nothing done when they are there."""
    target = Path(cache) / "oca-addons"
    stamp = target / ".ar_stamp"
    wanted = hashlib.sha256(Path(requirements).read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return False
    Path(cache).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as work:
        wheels, staging = Path(work) / "wheels", Path(work) / "addons"
        wheels.mkdir()
        download(python, Path(requirements), wheels)
        found = sorted(wheels.glob("*.whl"))
        if not found:
            raise SetupError(f"pip downloaded no wheel for {Path(requirements).name}")
        for wheel in found:
            with zipfile.ZipFile(wheel) as archive:
                members = [name for name in archive.namelist() if name.startswith("odoo/addons/")]
                names = {name.split("/")[2] for name in members if name.count("/") >= 3}
                if not names or any(".." in Path(name).parts for name in members):
                    raise SetupError(f"{wheel.name} holds no Odoo addon under odoo/addons/")
                archive.extractall(staging, members)
        target.mkdir(exist_ok=True)
        for addon in sorted((staging / "odoo" / "addons").iterdir()):
            _replace_dir(addon, target / addon.name)
        log(f"OCA addons in {target}: {', '.join(sorted(p.name for p in target.iterdir() if p.is_dir()))}")
    stamp.write_text(wanted, encoding="utf-8")
    return True


# ---------------------------------------------------------------------------
# System packages and PostgreSQL
# ---------------------------------------------------------------------------


def missing_system_packages(checks=None):
    return [name for name, present in (checks or SYSTEM_PACKAGES).items() if not present()]


def privilege_prefix(geteuid=os.geteuid, which=shutil.which):
    """How to run apt-get: [] as root, ["sudo", "-n"] when sudo works without a password, else None."""
    if geteuid() == 0:
        return []
    if which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0:
        return ["sudo", "-n"]
    return None


def apt_install(packages, why):
    prefix = privilege_prefix()
    if not shutil.which("apt-get") or prefix is None:
        raise SetupError(
            f"{why}: install {' '.join(packages)} with your system's package manager (no apt-get, or not root "
            "and no password-less sudo), then run make setup again"
        )
    log(f"installing {' '.join(packages)} with apt-get ...")
    environ = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]):  # fmt: skip
        done = run([*prefix, *command], capture_output=True, text=True, env=environ)
        if done.returncode != 0:
            tail = " | ".join(done.stderr.strip().splitlines()[-2:]) or "no output"
            raise SetupError(f"apt-get could not install {' '.join(packages)}: {tail}")


def _checked(command, what):
    """run() that turns a failure into one line naming what could not be done and why."""
    done = run(command, capture_output=True, text=True)
    if done.returncode != 0:
        reason = ((done.stderr or "").strip().splitlines() or ["no output"])[-1]
        raise SetupError(f"could not {what} ({reason}): see pg_lsclusters and /var/log/postgresql")
    return done


def postgres_answers(python):
    code = "import psycopg2; psycopg2.connect(dbname='postgres').close()"
    return subprocess.run([python, "-c", code], capture_output=True, check=False).returncode == 0


def postgres_user():
    import getpass

    return os.environ.get("PGUSER") or getpass.getuser()


def ensure_postgres(python, environ):
    """PostgreSQL answering on the local socket as the current user; installed and started if not."""
    if postgres_answers(python):
        return False
    user = postgres_user()
    if environ.get("PGHOST") or environ.get("PGPORT"):
        where = ", ".join(f"{key}={environ[key]}" for key in ("PGHOST", "PGPORT") if environ.get(key))
        raise SetupError(
            f"PostgreSQL does not answer at {where} as user '{user}': start that server, or unset "
            "PGHOST/PGPORT to let the set-up run a local one"
        )
    if not shutil.which("pg_ctlcluster"):
        apt_install(["postgresql"], f"PostgreSQL does not answer on the local socket as user '{user}'")
    prefix = privilege_prefix()
    if prefix is None:
        raise SetupError(
            f"PostgreSQL does not answer on the local socket as user '{user}': start it (pg_ctlcluster ... start) "
            f"and create the role: sudo -u postgres createuser --createdb {user}"
        )
    clusters = run(["pg_lsclusters", "--no-header"], capture_output=True, text=True).stdout.split()
    if clusters:
        version, name = clusters[0], clusters[1]
    else:
        version = max(os.listdir("/usr/lib/postgresql"), key=lambda name: int(name) if name.isdigit() else 0)
        name = "main"
        log(f"creating the PostgreSQL {version} cluster {name} ...")
        _checked([*prefix, "pg_createcluster", version, name], "create the PostgreSQL cluster")
    log(f"starting the PostgreSQL {version} cluster {name} ...")
    run([*prefix, "pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"], capture_output=True)
    as_postgres = [*prefix, "runuser", "-u", "postgres", "--"] if not prefix else [*prefix, "-u", "postgres"]
    exists = run([*as_postgres, "psql", "-tAc", f"SELECT 1 FROM pg_roles WHERE rolname = '{user}'"],
                 capture_output=True, text=True)  # fmt: skip
    if exists.stdout.strip() != "1":
        log(f"creating the PostgreSQL role {user} (CREATEDB) ...")
        _checked([*as_postgres, "createuser", "--createdb", user], f"create the PostgreSQL role {user}")
    if not postgres_answers(python):
        raise SetupError(
            f"PostgreSQL still does not answer on the local socket as user '{user}' after starting it: "
            "check pg_lsclusters and its log under /var/log/postgresql"
        )
    return True


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def setup(environ, venv, cache, system=True, with_tests=True):
    """Make the machine ready; return the interpreter to use."""
    given = environ.get("PYTHON")
    if given:
        if not imports_odoo_18(given):
            raise SetupError(
                f"PYTHON={given} cannot import Odoo 18.0 ('import odoo' fails or is another version): "
                "install Odoo 18.0 into it, or unset PYTHON to let the set-up make .venv/"
            )
        python = Path(given)
    else:
        base = environ.get("AR_BASE_PYTHON", "python3")
        version = python_version(base)
        check_supported(base, version)
        tree = ensure_source(environ, cache)
        python = ensure_venv(base, venv, system)
        ensure_python_packages(python, version, tree, venv, with_tests)
        if with_tests:
            ensure_oca_addons(python, cache)
    if system:
        missing = missing_system_packages()
        if missing:
            apt_install(missing, "missing system packages")
        ensure_postgres(python, environ)
    return python


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", default=REPO_DIR / ".venv", type=Path)
    parser.add_argument("--cache", default=REPO_DIR / ".cache", type=Path)
    parser.add_argument("--no-system", action="store_true", help="leave system packages and PostgreSQL alone")
    parser.add_argument("--no-test-requirements", action="store_true")
    parser.add_argument("--print-python", action="store_true", help="print the interpreter to use")
    parser.add_argument("--evaluate-requirements", nargs=2, metavar=("FILE", "X.Y"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.evaluate_requirements:
        path, version = options.evaluate_requirements
        major, minor = version.split(".")
        print(json.dumps(odoo_requirements(Path(path).read_text(encoding="utf-8"), (int(major), int(minor)))))
        return 0
    try:
        python = setup(
            os.environ, options.venv.resolve(), options.cache.resolve(),
            system=not options.no_system, with_tests=not options.no_test_requirements,
        )  # fmt: skip
    except SetupError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ERROR: set-up interrupted: run make setup again to complete it", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - anything unforeseen is still one line, exit 2
        print(f"ERROR: the set-up failed ({type(error).__name__}: {error}): fix that, then run make setup again",
              file=sys.stderr)  # fmt: skip
        return 2
    if options.print_python:
        print(python)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Packaging: ``policies/``, ``guard/`` and ``modules/`` install under the ``gpukit`` namespace.

The design card keeps the three folders at the top of the repository; the wheel installs
them as ``gpukit.policies``, ``gpukit.guard`` and ``gpukit.modules`` so they never shadow
(or are shadowed by) a user's own ``policies/`` or ``modules/`` folder. Metadata lives in
pyproject.toml; only the package mapping is computed here.
"""

from setuptools import find_packages, setup

#: namespace package -> folder holding it
FOLDERS = {
    "gpukit": "gpukit",
    "gpukit.policies": "policies",
    "gpukit.guard": "guard",
    "gpukit.modules": "modules",
}


def _packages() -> list[str]:
    names = []
    for package, folder in FOLDERS.items():
        names.append(package)
        names += [f"{package}.{sub}" for sub in find_packages(folder)]
    return names


setup(packages=_packages(), package_dir=FOLDERS)

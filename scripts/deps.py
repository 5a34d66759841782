"""Print the dependencies declared in pyproject.toml (plus extras named on the command line)."""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
deps = list(project["dependencies"])
for extra in sys.argv[1:]:
    deps += project["optional-dependencies"][extra]
print(" ".join(d.replace(" ", "") for d in deps))

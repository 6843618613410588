"""The directory ``gpukit check`` passes to ``checkov --external-checks-dir``.

checkov imports every ``.py`` file of that directory; the one file here, :mod:`gpukit_checks`,
registers every gpukit check once (the check modules live one level up, where checkov would
import them a second time under another name).
"""

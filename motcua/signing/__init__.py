"""Signed e-results (issue 12 §2): the handling agency's leader and seal sign the result PDF
(PAdES, pyHanko); ``/xac-thuc/`` checks any PDF's signatures against the configured anchors."""

import warnings

# pyHanko imports cryptography's DSA types, which cryptography marks deprecated at import; motcua
# never uses DSA. Silenced here, before any module of the app imports pyHanko.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")

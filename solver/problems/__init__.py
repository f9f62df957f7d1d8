"""The PDE problems: one system per module (current, mechanics, vacancy) or sub-package
(stripping). A problem takes settings records and meshes, never a case; lifecycle: spaces ->
measures -> forms -> solver -> ``solve``/``try_step``."""

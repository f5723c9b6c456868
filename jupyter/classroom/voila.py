# Voila settings of `make classroom`: the Makefile puts this folder on JUPYTER_CONFIG_PATH (for
# this file) and JUPYTER_PATH (for the template); tests/test_classroom.py starts Voila the same way.
c = get_config()  # noqa: F821 (traitlets config files get `get_config` from their loader)

# The dashboard runs ahead of the first student: Voila starts a kernel and executes the
# notebook (imports, checkpoints, encoding the test sets: about 5 s) before anyone asks, so
# opening the page only loads the front end and the finished widgets. The next kernel is
# preheated 5 s after one is handed out, once that student's page is up: started at once
# (Voila's default, 1 s), it competes with the page for the CPU (measured on 2 busy cores:
# first slider 2.3-3.2 s with the wait, 3.1-4.5 s without). More students at once: raise
# the pool (`make classroom ARGS=--pool_size=4`, about 0.5 GB of memory per kernel).
c.VoilaConfiguration.preheat_kernel = True
c.VoilaConfiguration.default_pool_size = 1
c.VoilaKernelManager.fill_delay = 5

# voila/templates/classroom (in this folder): Voila's lab template without the two Font Awesome
# stylesheets it would fetch from a CDN (Voila's own bundle serves the fonts).
c.VoilaConfiguration.template = "classroom"

# Extensions installed for JupyterLab that a Voila page must not load:
# - @jupyter-notebook/lab-extension (Notebook 7's menu items) needs JupyterLab >= 4.6 packages
#   that Voila's 4.2 core does not provide: its module fails to load with a console error;
# - jupyterlab_pygments styles code cells, and the dashboard hides its code.
# What stays in the console are 13 warnings "Unsatisfied version 4.2.5 ... (required ...)", not
# errors, and no setting removes them (checked 2026-11-29): 9 (^4.6.2) come from
# @jupyter-widgets/jupyterlab-manager (jupyterlab_widgets 3.0.17, which ipywidgets 8.1.9
# requires), 4 (^4.5.10) from Voila 0.5.13's own @voila-dashboards/widgets-manager8; both were
# built against newer JupyterLab packages than Voila's 4.2.5 core, which they then use
# (voila-dashboards/voila#1514). Denylisting the jupyterlab-manager leaves the page without
# widgets (Voila's manager loads through it); jupyterlab_widgets 3.0.13 (built for ^4.2.4)
# would need an older ipywidgets.
c.VoilaConfiguration.extension_denylist = [
    "@jupyter-notebook/lab-extension",
    "jupyterlab_pygments",
]

# ipykernel warns "Kernel is running over TCP without encryption" for every kernel: the kernel
# manager gives each kernel CurveZMQ keys instead (the python3 kernelspec declares support).
c.KernelManager.transport_encryption = "auto"

# kernels idle for 15 minutes are shut down (a student who closed the tab)
c.MappingKernelManager.cull_idle_timeout = 900
c.MappingKernelManager.cull_interval = 60

# nbgrader settings for everyone on the hub: install.sh copies this file to the learners'
# environment as <venv>/etc/jupyter/nbgrader_config.py, where every user's nbgrader finds it.
# A trainer's own ~/.jupyter/nbgrader_config.py adds their course (see deploy/README.md).
import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# One shared exchange for all courses. It must exist with mode 1777 (install.sh makes it);
# the hub passes its place in QI_NBGRADER_EXCHANGE from hub.yml.
c.Exchange.root = os.environ.get("QI_NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")
# Several courses share the exchange: keep each course's files apart and list a learner's
# courses from their hub groups (nbgrader-<course>).
c.Exchange.path_includes_course = True
c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"
# Each submission's folder stays its learner's own (nbgrader alone makes it 0777): qi_exchange.py.
c.ExchangeFactory.submit = "qi_exchange.PrivateSubmit"

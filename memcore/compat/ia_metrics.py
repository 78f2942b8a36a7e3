"""Drop-in for ia_modules' metric storage: `from memcore.compat.ia_metrics import SQLMetricStorage`
(was `from ia_modules.reliability.sql_metric_storage import SQLMetricStorage`), over
`memcore.compat.nexusql.DatabaseManager`."""

from memcore.infrastructure.compat.ia_metrics import *  # noqa: F403
from memcore.infrastructure.compat.ia_metrics import __all__ as __all__

"""A curator's own data exported and imported as one versioned JSON file (see :mod:`.registry`).

Every kind of user data registers here, one line each. To add one (e.g. search history), write a class with
``name``, ``version``, ``description``, ``export``, ``validate`` and ``import_`` (see
:class:`artseek.userdata.registry.UserDataKind` and :mod:`.kinds` for two examples) and add
``register(HistoryKind())`` below. Imports neither torch nor Qt.
"""

from artseek.userdata.kinds import CollectionsKind, TagsKind
from artseek.userdata.kinds_history import HistoryKind
from artseek.userdata.kinds_texts import DescriptionsKind
from artseek.userdata.registry import KINDS, ImportReport, export_user_data, import_user_data, register

register(CollectionsKind())
register(TagsKind())
register(DescriptionsKind())
register(HistoryKind())

__all__ = ["KINDS", "ImportReport", "export_user_data", "import_user_data", "register"]

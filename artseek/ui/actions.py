"""The window's actions as data: one table from which menus, toolbar, context menu, panels and help are built.

Each :class:`ActionSpec` says what an action is (text, keys, icon, tip), where it
appears (menu, toolbar, context menu, inspector, detail view, feedback bar) and
when it is enabled (a predicate over :class:`UiState`). No key is written twice:
the F1 help lists the actions' own shortcuts, then :data:`OTHER_KEYS` (keys that
are not actions, such as moving through the grid).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from artseek.ui import icons

Key = str | QKeySequence.StandardKey
Place = tuple[int, int]  # (section, order): sections are separated, order sorts within one


@dataclass(frozen=True)
class UiState:
    """What action enablement depends on (a snapshot, built by the window)."""

    has_library: bool = False
    writable: bool = False
    has_roots: bool = False
    indexing: bool = False
    has_results: bool = False
    has_current: bool = False
    has_marks: bool = False
    has_example: bool = False
    model_usable: bool = True  # False once the library's model failed to load
    has_collection: bool = False  # a collection is open or selected in the Collections panel
    in_collection: bool = False  # a collection is open as the result view
    map_selection: bool = False  # images are selected on the map


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    keys: tuple[Key, ...] = ()
    icon: str | None = None
    tip: str = ""
    help: str = ""  # the F1 help's wording (defaults to ``tip``)
    key_scope: str = ""  # "" the whole window; "search" only while the search area has the focus
    menu: tuple[str, int] | None = None  # (menu title, section)
    toolbar: Place | None = None
    context: Place | None = None  # the right-click menu of a result
    inspector: int | None = None  # order among the side panel's buttons
    detail: int | None = None  # order among the detail view's buttons
    feedback: int | None = None  # order among the feedback bar's buttons
    checkable: bool = False
    enabled: Callable[[UiState], bool] | None = None  # None: always enabled


MENUS = ("&File", "&Library", "&Search", "&Image", "&Collections", "&View", "&Help")
SK = QKeySequence.StandardKey

ACTIONS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec("open_library", "&Open or Create Library…", (SK.Open,), "library",
               "Open a library folder, or create a new one", menu=("&File", 0), toolbar=(0, 1),
               enabled=lambda s: not s.indexing),
    ActionSpec("import_folder", "&Import Folder…", ("Ctrl+I",), "import",
               "Import a folder of images (indexed in the background)", help="Import a folder",
               menu=("&File", 0), toolbar=(0, 0), enabled=lambda s: s.writable and s.model_usable),
    ActionSpec("paste_image", "&Paste Image as Query", (SK.Paste,), None, "Search with the image on the clipboard",
               menu=("&File", 1)),
    ActionSpec("preferences", "Pre&ferences…", ("Ctrl+,",), None,
               "How the model runs, the library opened at start, the largest image, thumbnail size",
               help="Preferences", menu=("&File", 1)),
    ActionSpec("quit", "&Quit", (SK.Quit,), help="Quit ArtSeek", menu=("&File", 2)),
    # Library
    ActionSpec("library_status", "Library &Status…", ("Ctrl+L",), "info",
               "Counts, model and imported folders of the library", help="Library status",
               menu=("&Library", 0), toolbar=(0, 3), enabled=lambda s: s.has_library),
    ActionSpec("rescan", "&Re-scan Folders", ("F5",), "rescan",
               "Re-index every imported folder: new, changed, moved and deleted files", help="Re-scan the library",
               menu=("&Library", 0), toolbar=(0, 2),
               enabled=lambda s: s.writable and s.has_roots and s.model_usable),
    ActionSpec("reindex", "Re-index with Another &Model…", (), None,
               "Rebuild the library with a model that is available on this computer", menu=("&Library", 0),
               enabled=lambda s: s.writable and not s.indexing),
    ActionSpec("remove_folder", "Remove &Folder…", (), None,
               "Forget an imported folder and its images (files untouched)", menu=("&Library", 0),
               enabled=lambda s: s.writable),
    ActionSpec("failures", "Failed &Files…", (), None, "Files that could not be indexed, and why",
               menu=("&Library", 0), enabled=lambda s: s.has_library),
    ActionSpec("backups", "&Backups…", (), None,
               "The library's backups: back up now, restore one, check the library", menu=("&Library", 1),
               enabled=lambda s: s.has_library),
    ActionSpec("model_setup", "Model Set&up…", (), None,
               "Add a model file, download a model, open the models folder (also: click the model in the status bar)",
               menu=("&Library", 1), enabled=lambda s: not s.indexing),
    ActionSpec("find_duplicates", "Find &Duplicates…", (), None,
               "Identical, near-identical and similar images, group by group: mark not duplicates, add to a "
               "collection, export CSV", menu=("&Library", 1), enabled=lambda s: s.has_library),
    # Detail indexing and reproductions (issue 21)
    ActionSpec("detail_indexing", "&Detail Indexing On/Off", (), None,
               "Also index every image as 13 overlapping tiles, so a small motif is found (or turn it off)",
               menu=("&Library", 2), enabled=lambda s: s.writable and not s.indexing and s.model_usable),
    ActionSpec("reproduction_indexing", "&Reproduction Indexing On/Off", (), None,
               "Also store every image's visual words (SIFT), so Find Reproductions and Find the Source search a "
               "large library quickly (or turn it off)",
               menu=("&Library", 2), enabled=lambda s: s.writable and not s.indexing and s.model_usable),
    ActionSpec("find_reproductions", "Find &Reproductions", (), None,
               "Library images in which the current image appears (e.g. printed in a page), outlined",
               menu=("&Image", 3), enabled=lambda s: s.has_current),
    ActionSpec("find_source", "Find the &Source", (), None,
               "Library images that appear inside the current image (e.g. the photograph printed in this page)",
               menu=("&Image", 3), enabled=lambda s: s.has_current),
    # Search
    ActionSpec("focus_search", "&Find…", (SK.Find,), "search", "Go to the search field", menu=("&Search", 0)),
    ActionSpec("search", "&Search", (), "search", "Search for the text and example image", menu=("&Search", 0),
               enabled=lambda s: s.has_library),
    ActionSpec("refine", "&Refine", ("Ctrl+Return", "Ctrl+Enter"), "refine",
               "Re-rank using the results marked relevant (+) and not relevant (−)",
               help="Refine: re-rank with the marks", menu=("&Search", 0), toolbar=(1, 2), feedback=0,
               enabled=lambda s: s.has_library),  # without marks it says there is nothing to refine
    ActionSpec("mark_relevant", "Mark &Relevant", ("+", "="), "mark-relevant", "Mark the selected results as relevant",
               menu=("&Search", 1), toolbar=(1, 0), context=(1, 0), inspector=0, detail=0,
               enabled=lambda s: s.has_current),
    ActionSpec("mark_not_relevant", "Mark &Not Relevant", ("-",), "mark-not-relevant",
               "Mark the selected results as not relevant", menu=("&Search", 1), toolbar=(1, 1), context=(1, 1),
               inspector=1, detail=1, enabled=lambda s: s.has_current),
    ActionSpec("clear_mark", "Clear &Mark", ("0",), "clear-marks", "Clear the marks of the selection",
               menu=("&Search", 1), context=(1, 2), inspector=2, detail=2, enabled=lambda s: s.has_current),
    ActionSpec("clear_marks", "Clear &All Marks", ("Ctrl+Shift+Backspace",), "clear-marks",
               "Forget every + and − mark", menu=("&Search", 1), toolbar=(1, 3), feedback=1,
               enabled=lambda s: s.has_marks),
    ActionSpec("more_like_this", "More &Like This", ("Ctrl+M",), "similar",
               "Search for images similar to the current result", menu=("&Search", 2), toolbar=(2, 0),
               context=(0, 0), inspector=3, enabled=lambda s: s.has_current),
    ActionSpec("clear_example", "Remove Example Image", ("Esc",), None, "Search without the example image",
               help="Remove the example image (in the search field)", key_scope="search", menu=("&Search", 2),
               enabled=lambda s: s.has_example),
    ActionSpec("use_pic2word", "Compose Image + Text with &Pic2Word", (), None,
               "Image + text queries use the library's trained mapper (Pic2Word); unchecked: averaging",
               menu=("&Search", 3), checkable=True),
    ActionSpec("train_mapper", "&Train Composed-Query Mapper…", (), None,
               "Train (or retrain) the Pic2Word mapper on this library's images, in the background",
               menu=("&Search", 3), enabled=lambda s: s.writable and not s.indexing),
    # Search filters (the chips under the search field); Recent Searches follows them (controllers/filters.py)
    ActionSpec("add_filter", "&Filter…", ("Ctrl+Shift+F",), None,
               "Only search images of some folders, formats, sizes, dates, tags or a collection",
               help="Filter the search", menu=("&Search", 4), enabled=lambda s: s.has_library),
    ActionSpec("clear_filters", "Clear Filters", (), None, "Search the whole library again",
               menu=("&Search", 4), enabled=lambda s: s.has_library),
    # Image
    ActionSpec("open_details", "&Details…", (), None, "Open the detail view", menu=("&Image", 0), context=(2, 0),
               enabled=lambda s: s.has_current),
    ActionSpec("open_file", "&Open File", ("Ctrl+Shift+O",), None, "Open the image in the default viewer",
               menu=("&Image", 0), context=(2, 1), enabled=lambda s: s.has_current),
    ActionSpec("reveal", "Show in &Folder", ("Ctrl+Shift+R",), None, "Show the image in the file manager",
               menu=("&Image", 0), context=(2, 2), enabled=lambda s: s.has_current),
    ActionSpec("copy_path", "&Copy Path", ("Ctrl+Shift+C",), None, "Copy the file paths of the selection",
               menu=("&Image", 0), context=(2, 3), enabled=lambda s: s.has_current),
    # View, Help
    ActionSpec("toggle_inspector", "Side &Panel", ("F9",), None, "Show or hide the side panel", menu=("&View", 0),
               checkable=True),
    # View: the collection map (issue 18; the map panel's toolbar shows the last four)
    ActionSpec("show_map", "&Map", ("F7",), None,
               "Show the whole collection as a map beside the grid: similar images sit together",
               help="Show or hide the map", menu=("&View", 1), checkable=True, enabled=lambda s: s.has_library),
    ActionSpec("map_refit", "Rebuild Map &Layout", (), None,
               "Lay the map out again from all images (new images are placed on the map without this)",
               menu=("&View", 1), enabled=lambda s: s.writable and not s.indexing),
    ActionSpec("map_mark_relevant", "Mark Map Selection Relevant", (), "mark-relevant",
               "Mark the images selected on the map as relevant (+)", menu=("&View", 1),
               enabled=lambda s: s.map_selection),
    ActionSpec("map_mark_not_relevant", "Mark Map Selection Not Relevant", (), "mark-not-relevant",
               "Mark the images selected on the map as not relevant (−)", menu=("&View", 1),
               enabled=lambda s: s.map_selection),
    ActionSpec("map_to_collection", "Add Map Selection to &Collection…", (), None,
               "Add the images selected on the map to a collection", menu=("&View", 1),
               enabled=lambda s: s.map_selection and s.writable),
    ActionSpec("shortcuts", "&Keyboard Shortcuts", (SK.HelpContents,), help="This list", menu=("&Help", 0)),
    ActionSpec("about", "&About ArtSeek", (), menu=("&Help", 0)),
    # Catalogue texts, categories and tags (ui/controllers/texts.py)
    ActionSpec("import_descriptions", "Import &Descriptions…", (), None,
               "Import catalogue descriptions: a CSV, JSON or Artpedia file, .txt files next to the images, or the "
               "descriptions embedded in them", menu=("&File", 0), enabled=lambda s: s.writable and s.model_usable),
    ActionSpec("export_tags", "&Export Tags…", (), None,
               "Write every image's tags to a CSV file, with the model's confidence and who set each tag",
               menu=("&File", 1), enabled=lambda s: s.has_library),
    ActionSpec("categories", "&Categories and Tags…", (), None,
               "Define your categories (e.g. technique: photograph, engraving…) and classify the library into them",
               menu=("&Library", 2), enabled=lambda s: s.has_library),
    ActionSpec("search_descriptions", "Search in &Descriptions", (), None,
               "Text searches also look in the images' descriptions; the matching sentence shows under each result",
               menu=("&Search", 3), checkable=True),
    ActionSpec("edit_description", "Edit D&escription…", (), None,
               "Write or change your own description of the image (kept by re-imports and re-indexing)",
               menu=("&Image", 1), detail=3, enabled=lambda s: s.has_current and s.writable),
    ActionSpec("tag_badges", "&Tag Badges", (), None, "Show each image's tags on its thumbnail",
               menu=("&View", 0), checkable=True),
    # Collections and the curator's own data (issue 14)
    ActionSpec("new_collection", "&New Collection…", ("Ctrl+Shift+N",), None, "Create an empty collection",
               menu=("&Collections", 0), enabled=lambda s: s.writable),
    ActionSpec("add_to_collection", "&Add Selection to Collection", ("Ctrl+D",), None,
               "Add the selected results to the open (or selected) collection", help="Add the selection to a collection",
               menu=("&Collections", 0), context=(3, 0), enabled=lambda s: s.writable and s.has_current),
    ActionSpec("add_relevant_to_collection", "Add &Relevant Results to Collection", ("Ctrl+Shift+D",), None,
               "Add every result marked relevant (+) to the open (or selected) collection",
               menu=("&Collections", 0), enabled=lambda s: s.writable and s.has_marks),
    ActionSpec("remove_from_collection", "Re&move from Collection", (), None,
               "Take the selected results out of the open collection (they stay in the library)",
               menu=("&Collections", 0), context=(3, 1), enabled=lambda s: s.writable and s.in_collection
               and s.has_current),
    ActionSpec("find_more_like_collection", "&Find More Like This Collection", ("Ctrl+Shift+M",), None,
               "Search the whole library with the collection's images as relevant examples",
               menu=("&Collections", 1), enabled=lambda s: s.has_collection and s.model_usable),
    ActionSpec("show_whole_library", "Show &Whole Library", (), None,
               "Leave the collection view: search the whole library again", menu=("&Collections", 1),
               enabled=lambda s: s.in_collection),
    ActionSpec("rename_collection", "Re&name…", (), None, "Rename the open (or selected) collection",
               menu=("&Collections", 2), enabled=lambda s: s.writable and s.has_collection),
    ActionSpec("delete_collection", "&Delete…", (), None,
               "Delete the open (or selected) collection and its notes (the images stay)",
               menu=("&Collections", 2), enabled=lambda s: s.writable and s.has_collection),
    ActionSpec("export_collection", "&Export…", ("Ctrl+E",), None,
               "Export the collection: CSV, its files copied to a folder, or a PDF contact sheet",
               help="Export the collection", menu=("&Collections", 3), enabled=lambda s: s.has_collection),
    ActionSpec("export_selection", "Export &Selection…", ("Ctrl+Shift+E",), None,
               "Export the selected results: CSV, their files, or a PDF contact sheet",
               menu=("&Collections", 3), enabled=lambda s: s.has_current),
    ActionSpec("export_library_data", "&Export Library Data…", (), None,
               "Save collections, notes and hand-set tags to one file (a backup, or to move them)",
               menu=("&File", 1), enabled=lambda s: s.has_library),
    ActionSpec("import_library_data", "Import Library &Data…", (), None,
               "Merge a library data file into this library (importing twice changes nothing)",
               menu=("&File", 1), enabled=lambda s: s.writable),
    ActionSpec("toggle_collections", "&Collections Panel", ("F8",), None, "Show or hide the Collections panel",
               menu=("&View", 0), checkable=True),
)

# Keys that are not actions (each action's own keys come from ACTIONS).
OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("Enter (in the search field)", "Search"),
    ("Down (in the search field)", "Go to the results"),
    ("Arrow keys, Page Up/Down, Home/End", "Move through the results"),
    ("Shift/Ctrl + arrows or click", "Select several results"),
    ("Enter (on a result)", "Open the detail view"),
    ("← / → (detail view)", "Previous / next result"),
    ("+ / − or mouse wheel, pinch (map)", "Zoom the map in / out"),
    ("Arrow keys, drag, two-finger scroll (map)", "Move around the map"),
    ("0 or Home (map)", "Show the whole map"),
    ("Shift+drag / Alt+drag (map)", "Select with a rectangle / a lasso"),
)

SPECS = {spec.id: spec for spec in ACTIONS}


def key_sequences(spec: ActionSpec) -> list[QKeySequence]:
    sequences: list[QKeySequence] = []
    for key in spec.keys:
        sequences += QKeySequence.keyBindings(key) if isinstance(key, SK) else [QKeySequence(key)]
    return sequences


def key_text(spec: ActionSpec) -> str:
    return " or ".join(dict.fromkeys(k.toString(QKeySequence.SequenceFormat.NativeText)
                                     for k in key_sequences(spec)))


def create_actions(parent: QWidget, slots: dict[str, Callable], scopes: dict[str, QWidget]) -> dict[str, QAction]:
    """One QAction per spec, triggering ``slots[id]``; keys scoped to a widget are added to that widget."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, parent)
        if spec.icon:
            action.setIcon(icons.icon(spec.icon))
        action.setShortcuts(key_sequences(spec))
        if spec.tip:
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{spec.tip} ({keys})" if keys else spec.tip)
            action.setStatusTip(spec.tip)
        if spec.checkable:
            action.setCheckable(True)
            action.setChecked(True)
        action.triggered.connect(slots[spec.id])
        if spec.key_scope:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            scopes[spec.key_scope].addAction(action)
        else:
            parent.addAction(action)
        actions[spec.id] = action
    return actions


def placed(where: str) -> list[list[str]]:
    """The ids placed in ``where`` ("toolbar", "context", "inspector", "detail", "feedback"), by section."""
    entries = sorted((getattr(s, where) if isinstance(getattr(s, where), tuple) else (0, getattr(s, where)), s.id)
                     for s in ACTIONS if getattr(s, where) is not None)
    sections: dict[int, list[str]] = {}
    for (section, _), name in entries:
        sections.setdefault(section, []).append(name)
    return [sections[k] for k in sorted(sections)]


def _fill(target: QMenu | QToolBar, sections: list[list[str]], actions: dict[str, QAction]) -> None:
    for i, names in enumerate(sections):
        if i:
            target.addSeparator()
        for name in names:
            target.addAction(actions[name])


def build_menus(bar: QMenuBar, actions: dict[str, QAction]) -> dict[str, QMenu]:
    menus = {}
    for title in MENUS:
        sections: dict[int, list[str]] = {}
        for spec in ACTIONS:
            if spec.menu and spec.menu[0] == title:
                sections.setdefault(spec.menu[1], []).append(spec.id)
        menus[title] = bar.addMenu(title)
        _fill(menus[title], [sections[k] for k in sorted(sections)], actions)
    return menus


def fill_toolbar(toolbar: QToolBar, actions: dict[str, QAction]) -> None:
    _fill(toolbar, placed("toolbar"), actions)


def build_context_menu(parent: QWidget, actions: dict[str, QAction]) -> QMenu:
    menu = QMenu(parent)
    _fill(menu, placed("context"), actions)
    return menu


def in_panel(where: str, actions: dict[str, QAction]) -> list[QAction]:
    """The actions of a panel ("inspector", "detail", "feedback"), in order."""
    return [actions[name] for section in placed(where) for name in section]


def update_enabled(actions: dict[str, QAction], state: UiState) -> None:
    for spec in ACTIONS:
        if spec.enabled is not None:
            actions[spec.id].setEnabled(bool(spec.enabled(state)))


def shortcuts_help() -> list[tuple[str, str]]:
    """(keys, what they do) for the F1 help: every action with keys, then :data:`OTHER_KEYS`."""
    rows = [(key_text(s), s.help or s.tip or s.text.replace("&", "").rstrip("…")) for s in ACTIONS if s.keys]
    return rows + list(OTHER_KEYS)


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td style='padding-right:16px'><b>{k}</b></td><td>{v}</td></tr>" for k, v in shortcuts_help())
    return f"<table>{rows}</table>"



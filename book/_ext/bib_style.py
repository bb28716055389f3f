"""Sphinx extension: one author–year label for a reference, in the text and in the bibliography.

sphinxcontrib-bibtex's ``author_year`` citations read "[Su, 2021]" in the text while the
bibliography's default (``alpha``) labels read "[Su21b]", and the book cites several posts by
one author from one year, which "[Su, 2021]" cannot tell apart. This extension registers

- a pybtex label style, ``rope_author_year``: "Su, 2021b", "Milakov and Gimelshein, 2018",
  "Vaswani et al., 2017"; a letter is added only where author and year repeat, in the order of
  the sorted bibliography;
- a pybtex sorting style, ``rope_author_year``: by the authors' last names (braces and TeX
  accents removed, case ignored), then year, then title;
- a pybtex formatting style, ``rope_author_year``: pybtex's ``unsrt`` entries (``url``,
  ``doi`` and ``eprint`` fields become links) with the two styles above; set it as
  ``bibtex_default_style``;
- a sphinxcontrib-bibtex referencing style, ``rope_author_year``: ``author_year`` whose
  parenthetical citation ({cite}, {cite:p}) prints the entry's label, so a citation reads
  exactly like the label it links to ("[Su, 2021b; Su, 2022a]"), and whose textual citation
  ({cite:t}) prints the year with its letter; set it as ``bibtex_reference_style``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pybtex.plugin
import sphinxcontrib.bibtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import node
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.style.referencing import BracketStyle, GroupReferenceStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.referencing.extra_author import ExtraAuthorReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_empty import ExtraEmptyReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_label import ExtraLabelReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
from sphinxcontrib.bibtex.style.template import entry_label, join, join2, post_text, pre_text
from sphinxcontrib.bibtex.style.template import reference as reference_node

NAME = "rope_author_year"


def _plain(rich) -> str:
    """TeX-decoded plain text of a pybtex name part or field: ``Veli{\\v{c}}kovi{\\'c}`` -> Veličković."""
    text = rich.render_as("text") if hasattr(rich, "render_as") else str(rich)
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def _persons(entry) -> list:
    for role in ("author", "editor"):
        if entry.persons.get(role):
            return list(entry.persons[role])
    return []


def _last_name(person) -> str:
    parts = [*person.rich_prelast_names, *person.rich_last_names]
    return _plain(Text(" ").join(parts))


def author_part(entry) -> str:
    """"Su", "Milakov and Gimelshein", "Vaswani et al."; the title when there is no author."""
    persons = _persons(entry)
    if not persons:
        return _plain(Text.from_latex(entry.fields.get("title", "Anonymous")))
    names = [_last_name(p) for p in persons]
    if names[-1] == "others" or len(names) > 2:
        return f"{names[0]} et al."
    return " and ".join(names)


def sort_key(entry) -> tuple:
    names = [_last_name(p) for p in _persons(entry)]
    title = _plain(Text.from_latex(entry.fields.get("title", "")))
    return ([n.casefold() for n in names], entry.fields.get("year", ""), title.casefold())


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Author, year", with a letter where author and year repeat."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        bases = [f"{author_part(e)}, {e.fields.get('year', 'n.d.')}" for e in entries]
        counts = Counter(bases)
        seen: Counter = Counter()
        for base in bases:
            if counts[base] == 1:
                yield base
            else:
                yield base + "abcdefghijklmnopqrstuvwxyz"[seen[base]]
                seen[base] += 1


class AuthorYearSortingStyle(BaseSortingStyle):
    """By authors' last names, then year, then title."""

    def sorting_key(self, entry):
        return sort_key(entry)


class AuthorYearStyle(UnsrtStyle):
    """pybtex's unsrt entries, sorted and labelled author–year."""

    default_label_style = NAME
    default_sorting_style = NAME


@node
def label_year(children, data) -> Text:
    """The year of the entry's label, with its letter ("2021b")."""
    assert not children
    return Text(data["formatted_entry"].label.rsplit(", ", 1)[-1])


@dataclass
class LabelParentheticalStyle(BasicAuthorYearParentheticalReferenceStyle):
    """{cite:p}: the entry's label, "Su, 2021b"."""

    def inner(self, role_name):
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text, reference_node[entry_label], post_text
        ]


@dataclass
class LabelTextualStyle(BasicAuthorYearTextualReferenceStyle):
    """{cite:t}: "Su [2021b]"."""

    def inner(self, role_name):
        return join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[
                self.bracket.left,
                join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                    pre_text, reference_node[label_year], post_text
                ],
                self.bracket.right,
            ],
        ]


@dataclass
class LabelAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """author_year, with years carrying the label's letter; citations in one bracket are
    separated by "; " (the labels themselves hold commas)."""

    bracket_parenthetical: BracketStyle = field(default_factory=lambda: BracketStyle(sep="; "))
    bracket_textual: BracketStyle = field(default_factory=lambda: BracketStyle(sep="; "))

    def __post_init__(self):
        self.styles.extend(
            [
                LabelParentheticalStyle(
                    bracket=self.bracket_parenthetical,
                    person=self.person,
                    pre_text_sep=self.pre_text_sep,
                    post_text_sep=self.post_text_sep,
                ),
                LabelTextualStyle(
                    bracket=self.bracket_textual,
                    person=self.person,
                    text_reference_sep=self.text_reference_sep,
                    pre_text_sep=self.pre_text_sep,
                    post_text_sep=self.post_text_sep,
                ),
                ExtraAuthorReferenceStyle(bracket=self.bracket_author, person=self.person),
                ExtraLabelReferenceStyle(bracket=self.bracket_label),
                ExtraYearReferenceStyle(bracket=self.bracket_year),
                ExtraEmptyReferenceStyle(),
            ]
        )
        GroupReferenceStyle.__post_init__(self)


def _register() -> None:
    for group, plugin in (
        ("pybtex.style.labels", AuthorYearLabelStyle),
        ("pybtex.style.sorting", AuthorYearSortingStyle),
        ("pybtex.style.formatting", AuthorYearStyle),
    ):
        pybtex.plugin.register_plugin(group, NAME, plugin, force=True)
    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing", NAME, LabelAuthorYearReferenceStyle, force=True
    )


_register()


def setup(app: Sphinx) -> dict:
    return {"parallel_read_safe": True, "parallel_write_safe": True}

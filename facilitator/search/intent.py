"""What kind of answer a question asks for, from its wording (facilitator/data/question_kinds.yaml).

One reading for search and meeting answers: a question asking what others did wants cases
and survey answers first; one asking what something is or how it is done wants the
guideline or a local document quoted.
"""

from __future__ import annotations

import re
from functools import cache

import yaml

from facilitator.search.constraints import named_places
from facilitator.search.lexical import tokenize, written_form
from facilitator.settings import PACKAGE_DATA


@cache
def question_words() -> dict:
    return yaml.safe_load((PACKAGE_DATA / "question_kinds.yaml").read_text(encoding="utf-8"))


_QUOTED = re.compile(r"「[^「」]*」|『[^『』]*』")


def _has(question: str, kind: str) -> bool:
    """A word of ``kind`` outside quotes: in 「「かかりつけ医って何？」という問い合わせが多い
    ところは？」 the quoted question is what residents ask, not what is asked here. The
    guideline's examples (「協議の例」) are read as one phrase, so their 「例」 is no precedent."""
    bare = written_form(_QUOTED.sub("", question))
    if kind != "document_examples":
        for phrase in question_words()["document_examples"]:
            bare = bare.replace(phrase, "")
    return any(w in bare for w in question_words()[kind])


def asks_for_definition(question: str) -> bool:
    """「…とは」「…って何？」「手順は」「協議の例では」: what a document says (asking what a
    term means is one way). Not when a first sentence asks what others did and only a later
    one has such a word: 「…代わりに診ている例はあるか。入院の回数などへの効果は示されているか。」
    asks what the case shows."""
    first, *rest = _SENTENCE_END.split(question.strip(), maxsplit=1)
    if rest and rest[0].strip() and _has(first, "precedent") and not _defines(first):
        return False
    return _defines(question)


_SENTENCE_END = re.compile(r"(?<=[。？?])")


def _defines(question: str) -> bool:
    return any(_has(question, k) for k in ("definition", "meaning", "document_examples"))


def named_document_words(question: str) -> list[str]:
    """「ガイドラインではどう示されている？」「スライドではどう言ってる？」: words naming a kind of
    document, which a document's title may hold (outside quotes)."""
    bare = _QUOTED.sub("", question)
    return [w for w in question_words()["document_names"] if w in bare]


def asks_for_meaning(question: str) -> bool:
    """「1号機能って何？」「在宅療養後方支援病院とは」: what a term means."""
    return _has(question, "meaning")


def asks_for_precedents(question: str) -> bool:
    """「…している例は？」「取り組んでいる自治体は？」: what others did. 「…医療機関は」 alone
    names who did it, unless the question asks what a document requires of them."""
    if _has(question, "precedent") or (_has(question, "built") and not named_places(question)[0]):
        return True
    # 「医療機関は何月に出すんだっけ？」 asks when the rule says, not what others did
    subjects = _has(question, "precedent_subjects")
    return subjects and not asks_for_definition(question) and not asks_when(question)


def is_question(question: str) -> bool:
    """「…って何て呼ぶんだっけ？」 rather than a problem stated (「医師の高齢化で当番が組めない」):
    it ends like a question or asks who, what, when or how (outside quotes)."""
    bare = _QUOTED.sub("", question).strip().rstrip("。. ")
    words = question_words()
    return bare.endswith(tuple(words["question_endings"])) or any(
        w in bare for w in words["interrogatives"]
    )


def asks_about_publicity(question: str) -> bool:
    """「住民への周知をどうしている？」: telling residents, which the survey's ③ answers."""
    return _has(question, "publicity")


TIME = re.compile(
    r"\d{1,2}月(?!\d{1,2}日)|[上中下]旬|年度[末初内]|毎年|四半期|\d+か月"
    r"|(?:令和|平成)\d+年度?(?:から|より|以降|まで)"
    r"|\d{1,2}[:：]\d{2}|(?<!\d)\d{1,2}時(?!間)"
)
"""A time of year, a period or a time of day (「19:00～22:00」); not a dated source line
(「令和7年1月31日 …資料」)."""


def asks_when(question: str) -> bool:
    """「毎年何月ごろ出すの？」「いつから義務？」: a time is the answer."""
    return _has(question, "when")


@cache
def time_words() -> frozenset[str]:
    """The words of a question asking when (毎年, 頃, 何月…), as the index tokenises them: what
    is asked, not what the answer must share. Tokenised on first use, not at import."""
    return frozenset(tokenize("毎年 毎月 何月頃 何年 何日 何時 時期"))


def asks_for_steps(question: str) -> bool:
    """「協議の場はどういう順番で進める？」「毎回の流れが知りたい」: the steps of a process."""
    return _has(question, "steps")


def asks_for_schedule(question: str) -> bool:
    """「かかりつけ医機能報告の年間スケジュールは？」「1年の流れを確認したい」: the whole year,
    not one time in it (「結果は年間スケジュールのどの時期に公表？」)."""
    return _has(question, "schedule") and not _ONE_TIME_OF.search(question)


_ONE_TIME_OF = re.compile(r"(?:スケジュール|サイクル|流れ)の(?:どの|いつ)")


def asks_for_a_list(question: str) -> bool:
    """「連携の拠点の要件は？」「…に求められることは？」: what is required of someone, a list."""
    return _has(question, "lists")


def wants_precedents_only(question: str) -> bool:
    """Asks what others did and not what a document says: search favours precedents."""
    return asks_for_precedents(question) and not asks_for_definition(question)


_A_PREFECTURE = re.compile(
    r"(?<![\u4e00-\u9fff々])(?:県(?:は|が|も|で|って|に|の中|として)|県(?:や|と|とか)市(?:町村)?|市(?:や|と|とか)県)"
)


ACTING = "(?:で?は|が|として|自身)"
"""After a place or a government, says it acts itself (「福井県は組織上どんな工夫をした？」), not
where another actor is (「佐賀県の病院で…」)."""
_PROVIDER_ACTING = re.compile(r"(?:病院|診療所|クリニック|医療機関|医院)が[^。？?]*(?:例|事例)")
_GOVERNMENT_ACTING = re.compile(
    rf"(?:自治体|都道府県|府県|市町村|県|市|役所|役場){ACTING}(?![\u4e00-\u9fff])"
)


def asks_about_governments(question: str) -> bool:
    """「…という声のある自治体は？」「…研修をやっている県はある？」「住民が県や市に問い合わせて
    くるのは…」: what prefectures and cities do, see or are asked: the survey answers of the
    casebook and the local documents say it.
    A named prefecture (「大阪府は…」) is a place, not this question; nor is a hospital's practice
    within a government's scheme (「中小病院が、府県の登録制度に加わって…引き受けている例」)."""
    bare = _QUOTED.sub("", question)
    if _PROVIDER_ACTING.search(bare) and not _GOVERNMENT_ACTING.search(bare):
        return False
    return _has(question, "governments") or bool(_A_PREFECTURE.search(bare))


def asks_about_cities(question: str) -> bool:
    """「…回答した政令市は」「政令指定都市では」: the designated cities, not the prefectures
    (「都道府県や政令市では」 asks about both)."""
    return _has(question, "cities") and not re.search(r"[県府]", question)


_COMMON = re.compile(
    r"(?:多いのは|多い内容|よく(?:来|寄せ|あ)るのは)"
    r"|(?:どんな|どういう|どのような|何が|なにが)[^。？?、]{0,20}?(?:多い|よく(?:来|寄せ|あ))"
    r"(?![^。？?]{0,6}(?:自治体|ところ|県|市|都道府県|地域|医療機関))"
)


def asks_what_is_common(question: str) -> bool:
    """「住民からの問い合わせで多いのはどんな内容？」: which answers most respondents give, not
    who gives one (「…という相談が多い自治体は？」 names the content and asks who)."""
    return bool(_COMMON.search(_QUOTED.sub("", question)))


_WHO_DECIDES = re.compile(
    r"(?:誰|だれ|どこ)(?:が|で)[^。？?]{0,12}?(?:決め|決定|決ま)|決め方|決定方法"
)


def asked_sheet_fields(question: str) -> list[str]:
    """The example-sheet fields a question names, in its order: 「どんな原因と対策が挙がっている？」
    → [cause, measure]. None when it asks for a process's steps (「原因を出し合ってから対策、
    みたいな流れ？」 names steps), asks when (「方策の効果はどのタイミングで確かめる？」: no
    sheet states a time) or who decides (「圏域と参加者は誰が決定するのか」: the council paper
    says, not a sheet's list of participants)."""
    if asks_for_steps(question) or asks_when(question) or _WHO_DECIDES.search(question):
        return []
    bare = _QUOTED.sub("", question)
    found = [
        (min(bare.find(w) for w in words if w in bare), field)
        for field, words in question_words()["sheet_fields"].items()
        if any(w in bare for w in words)
    ]
    return [field for _, field in sorted(found)]

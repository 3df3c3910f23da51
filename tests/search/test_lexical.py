import numpy as np
import pytest

from facilitator.search.lexical import LexicalIndex, tokenize, with_material_terms, written_form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("夜間の輪番が組めない", ["夜間", "輪番", "組む"]),
        ("在宅医療を支援している", ["在宅", "医療", "支援"]),
        ("２４時間体制", ["24", "時間", "体制"]),
        # honorifics are not the subject: 横浜市's 「お医者さんへの上手なかかり方」 had answered
        # 「かかりつけ医って、どういうお医者さんのこと？」 on 「御」 and 「さん」
        ("どういうお医者さんのこと", ["医者"]),
        ("ご家族やケアマネさん", ["家族", "ケアマネ"]),
    ],
)
def test_tokenize_keeps_normalised_content_words(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_tokenize_unifies_spelling_variants() -> None:
    assert tokenize("シュミレーション") == tokenize("シミュレーション")


def test_tokenize_handles_text_longer_than_sudachi_limit() -> None:
    long_text = "在宅医療の連携を進める。\n" * 5000  # ~65,000 characters
    assert len(tokenize(long_text)) > 10_000


def _index() -> LexicalIndex:
    docs = [
        "夜間の輪番制で休日の診療を確保した",
        "訪問診療と看取りを支える在宅医療",
        "学校保健と母子保健",
    ]
    return LexicalIndex.build(["a", "b", "c"], [tokenize(d) for d in docs])


def test_bm25_ranks_the_matching_chunk_first() -> None:
    scores = _index().scores(tokenize("在宅での看取り"))
    assert int(np.argmax(scores)) == 1


def test_bm25_mask_excludes_chunks() -> None:
    scores = _index().scores(tokenize("在宅での看取り"), np.array([1, 0, 1], dtype=np.float32))
    assert scores[1] == 0


def test_bm25_unknown_words_score_zero() -> None:
    assert not _index().scores(tokenize("確定申告")).any()


def test_how_many_chunks_use_a_word() -> None:
    index = _index()
    counts = {w: index.chunks_with(w) for w in ("診療", "在宅", "保健", "確定申告")}
    assert counts == {"診療": 2, "在宅": 1, "保健": 1, "確定申告": 0}  # once per chunk


def test_lexical_index_round_trips_through_disk(tmp_path) -> None:
    index = _index()
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    q = tokenize("輪番")
    assert loaded.ids == index.ids
    assert np.allclose(loaded.scores(q), index.scores(q))


def test_everyday_words_also_look_for_the_materials_terms() -> None:
    question = "一人で開業している先生が夜や休みの日に対応できない"
    tokens = tokenize(question)
    expanded = with_material_terms(tokens, question)
    assert expanded[: len(tokens)] == tokens  # the question's own words first, unchanged
    assert {"医師", "夜間", "休日"} <= set(expanded[len(tokens) :])
    assert "在宅" not in with_material_terms(tokenize("家族の介護"), "家族の介護")  # 家族 ≠ 家
    assert "急変" in with_material_terms(tokenize("急に悪くなる"), "急に悪くなる")  # a phrase
    rest = "家で介護している家族が限界になったとき、少しの間だけ入院させてもらえる病院"
    assert "レスパイト" in with_material_terms(
        tokenize(rest), rest
    )  # the casebook's レスパイト入院
    # a solo doctor away: the casebook says 主治医不在時, 代替可能性, バックアップ
    assert "cm" in with_material_terms(tokenize("コマーシャル"), "コマーシャル")  # テレビCM
    away = "留守のとき代わりに診る"
    assert {"不在", "代替", "バックアップ"} <= set(with_material_terms(tokenize(away), away))
    areas = "在宅医療の地域割りってどのくらいの広さ？"  # 大阪府's 圏域
    assert "圏域" in with_material_terms(tokenize(areas), areas)
    sent = "都会の診療所からチームで医者を回してもらう"  # 事例1's 派遣
    assert "派遣" in with_material_terms(tokenize(sent), sent)
    help_out = "開業医が病院の夜の当直を手伝い合う"  # 参考2: 地元開業医が基幹病院の当直を支援
    assert "支援" in with_material_terms(tokenize(help_out), help_out)
    stand_in = "代わりの先生を探したりする手配"  # 事例18's 支援医師の探索・調整
    assert {"探索", "調整"} <= set(with_material_terms(tokenize(stand_in), stand_in))
    talks = "家で最期を迎えることを子どもに話して回っている医師"
    assert "講演" in with_material_terms(tokenize(talks), talks)  # 事例8's 講演
    homes = "特養や老健があらかじめ決めている連携先の医療機関"  # the guideline's 協力医療機関
    assert {"特別", "養護", "協力"} <= set(with_material_terms(tokenize(homes), homes))
    small = "在宅で使う器具を少しずつ手に入れる"  # 福井県医師会: 小ロットの器材
    assert {"器材", "ロット"} <= set(with_material_terms(tokenize(small), small))
    chores = "医師会はどんな裏方を引き受けている"  # 事例18: 「…事務作業を担当」
    assert "事務" in with_material_terms(tokenize(chores), chores)
    beds = "空いているベッドの情報を共有する"  # the 入退院支援 sheet's 空床情報
    assert "空床" in with_material_terms(tokenize(beds), beds)
    night = "町のお医者さんが大きい病院の夜の当番を手伝う"  # 参考2: 開業医が…当直を支援
    assert {"開業", "当直"} <= set(with_material_terms(tokenize(night), night))
    refer = "専門の先生へ患者を回す目安"  # 奈良県: 「…専門医への紹介基準」
    assert {"紹介", "基準"} <= set(with_material_terms(tokenize(refer), refer))
    duty = "夜の当番を回せる医師"  # a rota, not a referral
    assert "紹介" not in with_material_terms(tokenize(duty), duty)
    left = "医師会に全部お任せしていい？"  # the slides: 「丸投げや意識的な依存をせず」
    assert "丸投げ" in with_material_terms(tokenize(left), left)
    check = "対策が効いたかを確かめる"  # 「…次回の協議の場で議論・検証」
    assert "検証" in with_material_terms(tokenize(check), check)
    crew = "隊員さんがその人の薬をすぐわかる"  # 参考6: 消防署の通信指令室
    assert "消防" in with_material_terms(tokenize(crew), crew)
    ambulance = "救急車の人が飲んでいる薬をわかる"
    assert "消防" in with_material_terms(tokenize(ambulance), ambulance)
    vitals = "体温や血圧みたいな数値を共有する"  # 兵庫県: 生体情報共有システム「バイタルリンク」
    assert "バイタル" in with_material_terms(tokenize(vitals), vitals)


def test_a_question_already_in_the_materials_terms_is_left_as_it_is() -> None:
    question = "夜間・休日の輪番を医師会で組む"
    assert with_material_terms(tokenize(question), question) == tokenize(question)


def test_common_words_are_those_most_chunks_use() -> None:
    chunks = [["医療", "夜間"], ["医療", "輪番"], ["医療", "休日"], ["医療", "夜間"]]
    index = LexicalIndex.build([f"c{i}" for i in range(4)], chunks)
    assert index.common_words(0.4) == {"医療", "夜間"}  # in 4 and 2 of the 4 chunks
    assert index.common_words(0.8) == {"医療"}


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("作ってるところ", "作っているところ"),
        ("当番を組んでる地域", "当番を組んでいる地域"),
        ("若手を育てる仕組み", "若手を育てる仕組み"),  # a verb ending in てる, not a contraction
        ("計画を立てる", "計画を立てる"),
    ],
)
def test_written_form_expands_spoken_contractions_only(spoken: str, written: str) -> None:
    assert written_form(spoken) == written

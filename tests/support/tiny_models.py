"""Build a tiny random sentence-transformers model on disk (no download, ~0.1 s).

The loading path under test is the real one: ``SentenceTransformer(folder)``.
"""

from __future__ import annotations

from pathlib import Path


def build_tiny_sentence_transformer(folder: Path, text_for_vocab: str) -> Path:
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:
        from sentence_transformers.sentence_transformer.modules import (
            Normalize,
            Pooling,
            Transformer,
        )
    except ImportError:  # older sentence-transformers
        from sentence_transformers.models import Normalize, Pooling, Transformer

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = sorted({ch for ch in text_for_vocab if not ch.isspace()})
    vocab = {tok: i for i, tok in enumerate(specials + chars)}
    tok_dir = folder / "bert"
    tok_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = BertTokenizerFast(vocab=vocab, tokenize_chinese_chars=True, do_lower_case=False)
    tokenizer.save_pretrained(tok_dir)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    BertModel(config).save_pretrained(tok_dir)
    transformer = Transformer(str(tok_dir), max_seq_length=128)
    dimension = (
        transformer.get_embedding_dimension()
        if hasattr(transformer, "get_embedding_dimension")
        else transformer.get_word_embedding_dimension()
    )  # sentence-transformers < 5.2
    pooling = Pooling(dimension, pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu")
    out = folder / "st"
    model.save(str(out))
    return out


def build_tiny_cross_encoder(folder: Path, text_for_vocab: str) -> Path:
    """A random one-label BERT classifier saved like any hub cross-encoder."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = sorted({ch for ch in text_for_vocab if not ch.isspace()})
    vocab = {tok: i for i, tok in enumerate(specials + chars)}
    out = folder / "ce"
    out.mkdir(parents=True, exist_ok=True)
    BertTokenizerFast(
        vocab=vocab, tokenize_chinese_chars=True, do_lower_case=False
    ).save_pretrained(out)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_labels=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    BertForSequenceClassification(config).save_pretrained(out)
    return out

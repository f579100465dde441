"""Contextual speech recognition: Whisper (CTranslate2) biased by a context plan."""

from ctxasr.asr.audio import AudioError, load_audio
from ctxasr.asr.bias import BiasOptions, EntityMatch
from ctxasr.asr.engine import EngineOptions, WhisperEngine
from ctxasr.asr.models import ModelError, resolve_model
from ctxasr.asr.recognizer import Recognition, Recognizer, RecognizerOptions, StageTimings

__all__ = [
    "AudioError",
    "BiasOptions",
    "EngineOptions",
    "EntityMatch",
    "ModelError",
    "Recognition",
    "Recognizer",
    "RecognizerOptions",
    "StageTimings",
    "WhisperEngine",
    "load_audio",
    "resolve_model",
]

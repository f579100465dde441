"""The ``ctxasr`` command line. Each sub-command parses its flags and calls one module."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence

from ctxasr import __version__
from ctxasr.errors import ConfigError, CtxAsrError

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except CtxAsrError as exc:
        print(f"ctxasr: error: {exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ctxasr", description=__doc__)
    parser.add_argument("--version", action="version", version=f"ctxasr {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(title="commands")
    _add_serve(commands)
    _add_transcribe(commands)
    _add_eval(commands)
    _add_dataset(commands)
    _add_replay(commands)
    bench = commands.add_parser("bench", help="benchmarks: numbers measured side by side")
    benches = bench.add_subparsers(title="benchmarks")
    _add_bench_store(benches)
    _add_bench_recognize(benches)
    _add_bench_service(benches)
    return parser


def _add_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = commands.add_parser("serve", help="run the HTTP service")
    cmd.add_argument("--host", default="127.0.0.1")
    cmd.add_argument("--port", type=int, default=8080)
    cmd.add_argument("--store", choices=["sqlite", "dynamodb"], default="sqlite")
    cmd.add_argument("--data-dir", default="var", help="SQLite file, key file, API keys")
    cmd.add_argument("--dynamodb-endpoint", help="DynamoDB endpoint URL (default: AWS)")
    cmd.add_argument("--dynamodb-region", default="us-east-1")
    cmd.add_argument("--dynamodb-prefix", default="ctxasr", help="table name prefix")
    cmd.add_argument("--api-keys", help="JSON file mapping API keys to tenants")
    cmd.add_argument("--model", default="tiny.en")
    cmd.add_argument("--grace-ms", type=int, default=150)
    cmd.add_argument("--max-upload-bytes", type=int, default=10 * 1024 * 1024)
    cmd.add_argument("--no-embeddings", action="store_true", help="do not load the encoder")
    cmd.add_argument(
        "--semantic-selection",
        action="store_true",
        help="rank overflowing catalogs by meaning too (the turn embeddings)",
    )
    cmd.set_defaults(handler=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415

    from ctxasr.service.app import (  # noqa: PLC0415
        Services,
        create_app,
        limit_malloc_arenas,
        prepare_heap,
    )
    from ctxasr.service.config import ServiceOptions  # noqa: PLC0415

    limit_malloc_arenas()  # before the models load and start their threads
    options = ServiceOptions(
        store=args.store,
        data_dir=Path(args.data_dir),
        dynamodb_endpoint=args.dynamodb_endpoint,
        dynamodb_region=args.dynamodb_region,
        dynamodb_prefix=args.dynamodb_prefix,
        model=args.model,
        grace_ms=args.grace_ms,
        max_upload_bytes=args.max_upload_bytes,
        encoder=None if args.no_embeddings else "all-MiniLM-L6-v2",
        semantic_selection=args.semantic_selection,
        api_keys_file=Path(args.api_keys) if args.api_keys else None,
    )
    services = Services.build(options)
    services.warm_up()
    prepare_heap()  # fewer, cheaper full collections on the request path
    print(
        f"ctxasr serving on http://{args.host}:{args.port} (API keys: {args.data_dir}/"
        "api-keys.json unless --api-keys or CTXASR_API_KEYS)",
        flush=True,
    )
    try:
        uvicorn.run(create_app(services), host=args.host, port=args.port, log_level="info")
    finally:
        services.close()
    return 0


def _add_transcribe(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = commands.add_parser("transcribe", help="recognise one utterance, with its context")
    cmd.add_argument("audio", help="WAV/FLAC/any audio file, or raw 16-bit PCM with --pcm-rate")
    cmd.add_argument("--context", help="JSON file with the manifest's 'context' object")
    cmd.add_argument("--model", default="tiny.en", help="tiny.en, base, small or a folder")
    cmd.add_argument("--pcm-rate", type=int, help="the file is raw PCM at this rate (Hz)")
    cmd.add_argument("--signals", help="keep only these context signals (e.g. turns,contacts)")
    cmd.add_argument("--json", action="store_true", help="print the whole Recognition as JSON")
    _add_token_bias_switch(cmd)
    cmd.set_defaults(handler=_run_transcribe)


def _add_token_bias_switch(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--token-bias",
        action="store_true",
        help="also bias every decoding step toward catalog phrases (a trie; experimental)",
    )


def _run_transcribe(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    from ctxasr.asr import Recognizer, RecognizerOptions  # noqa: PLC0415
    from ctxasr.asr.audio import AudioError  # noqa: PLC0415
    from ctxasr.context import DialogueContext  # noqa: PLC0415

    context = DialogueContext.from_file(args.context) if args.context else None
    if context is not None and args.signals:
        context = context.only(s.strip() for s in args.signals.split(","))
    source: str | bytes = args.audio
    if args.pcm_rate:
        try:
            source = Path(args.audio).read_bytes()
        except OSError as exc:
            raise AudioError(f"cannot read {args.audio}: {exc}") from exc
    recognizer = Recognizer(RecognizerOptions.for_model(args.model, args.token_bias))
    recognition = recognizer.recognize(source, context, pcm_rate=args.pcm_rate)
    print(json.dumps(recognition.to_json(), indent=2) if args.json else recognition.text)
    return 0


def _add_eval(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = commands.add_parser("eval", help="score a dialogue manifest with and without context")
    cmd.add_argument("manifest", help="manifest.jsonl, or 'compare' to compare two runs")
    cmd.add_argument("runs", nargs="*", help="with 'compare': the two run folders A and B")
    cmd.add_argument("--out", help="output folder (hypotheses.jsonl, summary.json, report.md)")
    cmd.add_argument("--model", default="tiny.en")
    cmd.add_argument("--signals", help="keep only these context signals, e.g. turns,contacts")
    cmd.add_argument("--baseline", choices=["hotwords"], help="also run this peer baseline")
    cmd.add_argument(
        "--semantic-selection",
        action="store_true",
        help="rank overflowing catalogs by meaning too (all-MiniLM-L6-v2): an ablation",
    )
    cmd.add_argument("--resume", action="store_true", help="skip ids already recognised")
    cmd.add_argument("--strict", action="store_true", help="stop at the first bad line")
    cmd.add_argument("--limit", type=int, help="only the first N items")
    cmd.add_argument("--no-progress", action="store_true")
    cmd.add_argument("--json", action="store_true", help="with 'compare': print JSON")
    _add_token_bias_switch(cmd)
    cmd.set_defaults(handler=_run_eval)


def _run_eval(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    if args.manifest == "compare":
        return _run_compare(args)
    from ctxasr.eval.runner import EvalOptions, run_eval  # noqa: PLC0415

    if not args.out:
        raise ConfigError("eval needs --out DIR")
    options = EvalOptions(
        manifest=Path(args.manifest),
        out=Path(args.out),
        model=args.model,
        signals=tuple(s.strip() for s in args.signals.split(",")) if args.signals else None,
        baseline=args.baseline,
        semantic_selection=args.semantic_selection,
        token_bias=args.token_bias,
        resume=args.resume,
        strict=args.strict,
        limit=args.limit,
        progress=not args.no_progress,
    )
    summary = run_eval(options)
    for problem in summary["problems"]:
        print(f"warning: {problem}", file=sys.stderr)
    print(f"wrote {options.out}/report.md ({summary['items']} items)")
    return 0


def _run_compare(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    from ctxasr.eval.compare import compare_runs, format_comparison  # noqa: PLC0415

    if len(args.runs) != 2:
        raise ConfigError("usage: ctxasr eval compare DIR_A DIR_B")
    result = compare_runs(Path(args.runs[0]), Path(args.runs[1]))
    print(json.dumps(result, indent=2) if args.json else format_comparison(result))
    return 0


def _add_dataset(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dataset = commands.add_parser("dataset", help="generate dev sets")
    kinds = dataset.add_subparsers(title="datasets")
    synth = kinds.add_parser("synth", help="synthesise a dev set in the manifest format")
    synth.add_argument("--out", required=True)
    synth.add_argument("--size", type=int, default=300)
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument(
        "--voices",
        help="comma-separated voices in turn: piper:joe (piper:joe@1.25 speaks slower), "
        "espeak:VARIANT, flite:VARIANT (default: SynthOptions.voices, one of each engine)",
    )
    synth.add_argument(
        "--noise",
        help="comma-separated conditions drawn per item: clean, white:SNR_DB, babble:SNR_DB, "
        "reverb:RT60_MS, or several joined by '+' (reverb:400+white:20) (default: "
        "SynthOptions.noise)",
    )
    synth.add_argument("--telephone-share", type=float, default=0.2)
    synth.set_defaults(handler=_run_synth)
    grow = kinds.add_parser(
        "overflow", help="copy a manifest with catalogs that overflow the prompt (same audio)"
    )
    grow.add_argument("manifest")
    grow.add_argument("--out", required=True, help="the new manifest.jsonl")
    grow.add_argument("--address-book", type=int, default=1_500, help="people per item")
    grow.add_argument("--devices", type=int, default=150, help="smart-home devices per item")
    grow.add_argument("--seed", type=int, default=0)
    grow.set_defaults(handler=_run_overflow)


def _run_synth(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    from ctxasr.dataset.synth import SynthOptions, synth_dataset  # noqa: PLC0415

    # Lists left out keep SynthOptions' defaults, which are stated once, there.
    lists = {
        name: tuple(v.strip() for v in value.split(",") if v.strip())
        for name, value in (("voices", args.voices), ("noise", args.noise))
        if value is not None
    }
    options = SynthOptions(
        out=Path(args.out),
        size=args.size,
        seed=args.seed,
        telephone_share=args.telephone_share,
        **lists,
    )
    print(f"wrote {synth_dataset(options)}")
    return 0


def _run_overflow(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    from ctxasr.dataset.overflow import OverflowOptions, write_overflow  # noqa: PLC0415

    options = OverflowOptions(
        source=Path(args.manifest),
        out=Path(args.out),
        address_book=args.address_book,
        devices=args.devices,
        seed=args.seed,
    )
    print(f"wrote {options.out} ({write_overflow(options)} items)")
    return 0


def _add_bench_recognize(benches: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = benches.add_parser(
        "recognize", help="contextual recognition against plain faster-whisper, same audio"
    )
    cmd.add_argument("--model", default="tiny.en")
    cmd.add_argument("--repeats", type=int, default=3)
    cmd.add_argument("--manifest", help="use this dialogue manifest's audio and contexts")
    cmd.add_argument("--limit", type=int, default=20, help="at most this many manifest items")
    cmd.add_argument("--json", action="store_true")
    _add_token_bias_switch(cmd)
    cmd.set_defaults(handler=_run_bench_recognize)


def _run_bench_recognize(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    from ctxasr.bench.recognize_bench import (  # noqa: PLC0415
        RecognizeBenchOptions,
        format_table,
        run_recognize_bench,
    )

    options = RecognizeBenchOptions(
        model=args.model,
        repeats=args.repeats,
        manifest=Path(args.manifest) if args.manifest else None,
        limit=args.limit,
        token_bias=args.token_bias,
    )
    report = run_recognize_bench(options)
    print(json.dumps(report, indent=2) if args.json else format_table(report))
    return 0


def _add_bench_store(benches: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    store = benches.add_parser(
        "store", help="two-table store against the single-table design, same traffic"
    )
    store.add_argument("--backend", choices=["sqlite", "dynamodb"], default="sqlite")
    store.add_argument("--interactions", type=int, default=1_000)
    store.add_argument(
        "--followup-rate",
        type=float,
        default=0.1,
        help="share of interactions that re-open the microphone",
    )
    store.add_argument("--catalog-rate", type=float, default=0.5)
    store.add_argument("--catalog-entries", type=int, default=200)
    store.add_argument("--seed", type=int, default=7)
    store.add_argument("--endpoint", help="DynamoDB endpoint (default: start a local server)")
    store.add_argument(
        "--keyring",
        choices=["local", "kms"],
        default="local",
        help="kms: every key wrap/unwrap is a KMS call over HTTP",
    )
    store.add_argument("--kms-endpoint", help="KMS endpoint (default: start a local server)")
    store.add_argument("--json", action="store_true", help="print one JSON object")
    store.set_defaults(handler=_run_bench_store)


def _run_bench_store(args: argparse.Namespace) -> int:
    from ctxasr.bench.store_bench import (  # noqa: PLC0415  (keep CLI start-up light)
        StoreBenchOptions,
        format_table,
        run_store_bench,
    )

    options = StoreBenchOptions(
        backend=args.backend,
        interactions=args.interactions,
        followup_rate=args.followup_rate,
        catalog_rate=args.catalog_rate,
        catalog_entries=args.catalog_entries,
        seed=args.seed,
        endpoint_url=args.endpoint,
        keyring=args.keyring,
        kms_endpoint_url=args.kms_endpoint,
    )
    result = run_store_bench(options)
    print(json.dumps(result.to_json(), indent=2) if args.json else format_table(result))
    return 0


def _add_replay(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = commands.add_parser("replay", help="drive the service from a dialogue manifest")
    cmd.add_argument("manifest", help="manifest.jsonl")
    cmd.add_argument("--out", required=True, help="hypotheses.jsonl, summary.json, timeline.png")
    cmd.add_argument("--url", help="a running service (default: start one in this process)")
    cmd.add_argument("--api-key", help="the tenant's key for --url")
    cmd.add_argument("--reply-ms", type=int, help="every reply plays this long (default: text)")
    cmd.add_argument("--grace-ms", type=int, default=150, help="in-process service only")
    cmd.add_argument("--limit", type=int, help="only the first N items")
    cmd.set_defaults(handler=_run_replay)


def _run_replay(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    from ctxasr.service.replay import ReplayOptions, run_replay  # noqa: PLC0415

    options = ReplayOptions(
        manifest=Path(args.manifest),
        out=Path(args.out),
        url=args.url,
        api_key=args.api_key,
        reply_ms=args.reply_ms,
        limit=args.limit,
        grace_ms=args.grace_ms,
    )
    summary = run_replay(options)
    ready = summary["context_ready_rate"]
    print(
        f"wrote {options.out}/hypotheses.jsonl, summary.json ({summary['items']} items,"
        f" context ready for {'-' if ready is None else f'{ready:.1%}'})"
    )
    return 0


def _add_bench_service(benches: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = benches.add_parser(
        "service", help="context build time, ready-in-time rate and memory of the service"
    )
    cmd.add_argument("--interactions", type=int, default=100)
    cmd.add_argument("--catalog-entries", type=int, default=500)
    cmd.add_argument("--reply-ms", type=int, default=1_000)
    cmd.add_argument("--grace-ms", type=int, default=0)
    cmd.add_argument("--model", default="tiny.en")
    cmd.add_argument("--semantic-selection", action="store_true", help="turn it on in the service")
    cmd.add_argument("--json", action="store_true")
    cmd.set_defaults(handler=_run_bench_service)


def _run_bench_service(args: argparse.Namespace) -> int:
    from ctxasr.bench.service_bench import (  # noqa: PLC0415
        ServiceBenchOptions,
        format_table,
        run_service_bench,
    )

    options = ServiceBenchOptions(
        interactions=args.interactions,
        catalog_entries=args.catalog_entries,
        reply_ms=args.reply_ms,
        grace_ms=args.grace_ms,
        model=args.model,
        semantic_selection=args.semantic_selection,
    )
    report = run_service_bench(options)
    print(json.dumps(report, indent=2) if args.json else format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

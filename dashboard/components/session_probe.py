"""A minimal client of Streamlit's session protocol: ``hrd bench``'s server-side cold start.

It does what the dashboard's page does first in a browser (opens the WebSocket on
``/_stcore/stream`` and asks for a run of the default page), then reads the server's
messages until that run has finished, and reports how many elements of each kind it
received. It draws nothing. Why the benchmark needs it besides Chromium: on the
benchmark's two cores the browser's work (parsing Streamlit's frontend, drawing five
Plotly charts) runs on the same cores as the server, so the time to the page drawn
mixes the two; this client does next to nothing, so the time to its last message is
the server's own: the start of the process to the whole first page sent.

Run as ``python -m dashboard.components.session_probe`` (the benchmark's core never
imports Streamlit, whose message definitions this needs). It prints ``ready`` once
those are imported, so its own start-up is over before the server's begins; then it
reads the server's address (``http://host:port``) from standard input and prints one
JSON line: the run's status, the number of messages and the elements by kind.
"""
from __future__ import annotations

import asyncio
import collections
import json
import sys
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STREAM_PATH = "/_stcore/stream"


def rerun_request() -> bytes:
    """The message a page sends to run the app's default page with no query string."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = ""
    return msg.SerializeToString()


def _count_element(msg: ForwardMsg, elements: collections.Counter[str]) -> None:
    if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
        elements[msg.delta.new_element.WhichOneof("type") or "empty"] += 1


async def first_page(url: str, timeout_s: float) -> dict[str, Any]:
    """Open a session on the server at ``url``, ask for the first page, read it to the end of the run."""
    stream = url.replace("http://", "ws://", 1).replace("https://", "wss://", 1).rstrip("/") + STREAM_PATH
    elements: collections.Counter[str] = collections.Counter()
    messages = 0
    async with asyncio.timeout(timeout_s):
        async with websockets.connect(stream, subprotocols=["streamlit"], origin=url, max_size=None) as ws:
            await ws.send(rerun_request())
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await ws.recv())
                messages += 1
                _count_element(msg, elements)
                # a run ended early for a rerun (st.rerun) is followed by the run that shows the page
                if msg.WhichOneof("type") == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                    return {"status": status, "messages": messages, "elements": dict(elements)}


def main() -> int:
    print("ready", flush=True)
    url = sys.stdin.readline().strip()
    timeout_s = float(sys.argv[1]) if len(sys.argv) > 1 else 120.0
    try:
        result = asyncio.run(first_page(url, timeout_s))
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        result = {"status": "FAILED", "error": f"{type(exc).__name__}: {exc}"[:300], "messages": 0, "elements": {}}
    print(json.dumps(result), flush=True)
    return 0 if result["status"] == "FINISHED_SUCCESSFULLY" else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""A view control reruns only its fragment (issue 18): checked on the wire in a real
browser.

The browser test records the messages the server sends on Streamlit's websocket
(protobuf ForwardMsgs, decoded with Streamlit's own classes). After a control change in
the Explorer, the run that follows must end as a fragment run, every element it sends
must belong to a fragment, nothing outside it (the page title and introduction) may be
sent again, and the chart must be among what is sent and redrawn. This reads what the
server actually did rather than a marker the page would have to expose for tests, and
it fails if any future edit moves a control out of the fragment or makes it rerun the
page (st.rerun, a widget outside the fragment).
"""
from __future__ import annotations

import time

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.helpers import CHART_MARKS_JS, exception_boxes, wait_for_app, wait_for_charts

INTRO = "Plot any result on any axes"


def record(page) -> list[tuple[float, ForwardMsg]]:
    """Every ForwardMsg the page receives from now on, with its arrival time."""
    received: list[tuple[float, ForwardMsg]] = []

    def on_frame(payload) -> None:
        if isinstance(payload, (bytes, bytearray)):
            message = ForwardMsg()
            try:
                message.ParseFromString(bytes(payload))
            except Exception:  # not a ForwardMsg (a future framing): ignored
                return
            received.append((time.perf_counter(), message))

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    return received


def finished(messages: list[ForwardMsg]) -> list[int]:
    return [m.script_finished for m in messages if m.WhichOneof("type") == "script_finished"]


def test_an_explorer_control_reruns_only_its_fragment(dashboard_url, page):
    received = record(page)
    page.goto(f"{dashboard_url}/explorer")
    wait_for_charts(page)
    wait_for_app(page)
    first = [m for _, m in received]
    assert ForwardMsg.FINISHED_SUCCESSFULLY in finished(first)  # the page's own full run
    assert any(INTRO in m.delta.new_element.markdown.body for m in first
               if m.WhichOneof("type") == "delta")
    mark, clicked = len(received), time.perf_counter()
    page.get_by_text("log y").click()  # a pure view change: linear instead of log y axis
    page.wait_for_function("() => location.search.includes('logy=false')", timeout=60_000)
    deadline = time.monotonic() + 60
    while not finished([m for _, m in received[mark:]]) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    after = [m for _, m in received[mark:]]
    ends = finished(after)
    assert ends and set(ends) == {ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}, ends
    deltas = [m.delta for m in after if m.WhichOneof("type") == "delta"]
    assert deltas and all(d.fragment_id for d in deltas)
    assert not any(INTRO in d.new_element.markdown.body for d in deltas)
    assert any(d.new_element.WhichOneof("type") == "vega_lite_chart" for d in deltas)
    page.wait_for_function(f"() => (({CHART_MARKS_JS})()[0]?.drawn ?? 0) > 3", timeout=60_000)
    assert exception_boxes(page) == 0
    done = next(t for t, m in received[mark:] if m.WhichOneof("type") == "script_finished")
    print(f"log y toggle: fragment run finished {done - clicked:.2f} s after the click")

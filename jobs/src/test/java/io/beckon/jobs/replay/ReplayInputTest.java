package io.beckon.jobs.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replay rejects lines with the same reasons as the live job's validator. */
class ReplayInputTest {
  @Test
  void badLinesAreReportedWithTheirNumberAndTheLimitTheyBreak() throws Exception {
    String ok =
        "{\"event_id\":\"e\",\"user_id\":\"u\",\"type\":\"x\",\"time\":\"2026-01-05T10:00:00Z\"";
    String lines =
        String.join(
            "\n",
            ok + "}",
            ok + ",\"properties\":{\"p\":NaN}}",
            ok + ",\"properties\":{\"p\":-1e999}}",
            "{\"event_id\":\"e\",\"user_id\":\"u\",\"type\":\"x\",\"time\":\"+1000000000-01-01T00:00:00Z\"}",
            "[".repeat(50_000));
    ReplayInput.Parsed parsed =
        ReplayInput.read(
            new BufferedReader(new StringReader(lines)),
            new io.beckon.engine.event.ReceivedClock(3_600_000L));
    assertEquals(1, parsed.events().size());
    assertEquals(
        List.of(
            "line 2: not valid JSON: NaN is not a number: every number must be finite",
            "line 3: 'properties' holds -Infinity: every number must be finite (no NaN, Infinity or"
                + " overflow such as 1e999)",
            "line 4: 'time' '+1000000000-01-01T00:00:00Z' is out of range: its year does not fit"
                + " epoch milliseconds",
            "line 5: not valid JSON: nested deeper than the limit of 16 levels"),
        parsed.rejected());
  }
}

package io.beckon.engine.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReceivedClockTest {
  private static final long R = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  private final ReceivedClock clock = new ReceivedClock(3_600_000L);

  private static UserEvent at(String time) {
    return new UserEvent("e-1", "u-1", "app_opened", Instant.parse(time).toEpochMilli(), Map.of());
  }

  @Test
  void anEventAtOrBeforeItsReceptionKeepsItsTime() {
    UserEvent past = at("2026-03-01T11:00:00Z");
    assertSame(past, clock.judge(past, R).event());
    UserEvent exact = at("2026-03-01T12:00:00Z");
    assertSame(exact, clock.judge(exact, R).event());
  }

  @Test
  void anEventAheadWithinTheSkewTakesEffectAtReception() {
    assertEquals(R, clock.judge(at("2026-03-01T12:30:00Z"), R).event().time());
    assertEquals(R, clock.judge(at("2026-03-01T13:00:00Z"), R).event().time());
  }

  @Test
  void anEventFurtherAheadThanTheSkewIsMalformedAndTheReasonNamesBothTimes() {
    ReceivedClock.Verdict verdict = clock.judge(at("2026-03-01T13:00:00.001Z"), R);
    assertFalse(verdict.ok());
    assertEquals(
        "'time' 2026-03-01T13:00:00.001Z is more than max.clock.skew (1h) ahead of the time the"
            + " record was received, 2026-03-01T12:00:00Z",
        verdict.error());
  }

  @Test
  void withoutAReceptionTimeThereIsNoCheck() {
    UserEvent farAhead = at("2030-01-01T00:00:00Z");
    assertSame(farAhead, clock.judge(farAhead, null).event());
  }
}

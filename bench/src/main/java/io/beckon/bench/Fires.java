package io.beckon.bench;

import io.beckon.engine.core.FireListener;
import io.beckon.schema.Conversion;
import io.beckon.schema.JourneyEvent;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Counts the outcomes of fires and hands each to a {@link Blackhole}, so that building commands and
 * suppressions cannot be optimized away; without a blackhole (setup, tests) it only counts.
 */
final class Fires implements FireListener {
  private final Blackhole blackhole;
  long sends;
  long suppressions;
  long conversions;
  long journeyEvents;

  Fires(Blackhole blackhole) {
    this.blackhole = blackhole;
  }

  static Fires counting() {
    return new Fires(null);
  }

  @Override
  public void sent(SendCommand command) {
    sends++;
    if (blackhole != null) {
      blackhole.consume(command);
    }
  }

  @Override
  public void suppressed(Suppression suppression) {
    suppressions++;
    if (blackhole != null) {
      blackhole.consume(suppression);
    }
  }

  @Override
  public void converted(Conversion conversion) {
    conversions++;
    if (blackhole != null) {
      blackhole.consume(conversion);
    }
  }

  @Override
  public void journey(JourneyEvent event) {
    journeyEvents++;
    if (blackhole != null) {
      blackhole.consume(event);
    }
  }
}

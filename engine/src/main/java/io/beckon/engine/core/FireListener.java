package io.beckon.engine.core;

import io.beckon.schema.Conversion;
import io.beckon.schema.JourneyEvent;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;

/**
 * Receives what the engine decides: each rule fire's and journey step's outcome, in the order they
 * are taken.
 */
public interface FireListener {
  void sent(SendCommand command);

  void suppressed(Suppression suppression);

  /** A fire's conversion; reported while the converting event is applied. */
  void converted(Conversion conversion);

  /** What happened to a journey instance or entry attempt (contract section 7). */
  void journey(JourneyEvent event);

  /** For callers that want only the outcome of events, not what they convert. */
  FireListener IGNORE =
      new FireListener() {
        @Override
        public void sent(SendCommand command) {}

        @Override
        public void suppressed(Suppression suppression) {}

        @Override
        public void converted(Conversion conversion) {}

        @Override
        public void journey(JourneyEvent event) {}
      };
}

package io.beckon.engine.core;

import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;

/** Receives the outcome of each rule fire, in the order fires are taken. */
public interface FireListener {
  void sent(SendCommand command);

  void suppressed(Suppression suppression);
}

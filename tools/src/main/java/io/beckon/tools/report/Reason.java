package io.beckon.tools.report;

/** Why a fire was not sent (contract section 3b), in the order the checks run. */
public enum Reason {
  AUDIENCE("audience", "Audience"),
  REENTRY("reentry", "Reentry"),
  HOLDOUT("holdout", "Holdout"),
  UNREACHABLE("unreachable", "Unreachable"),
  FREQUENCY_CAP("frequency_cap", "Frequency cap");

  /** The {@code reason} of a suppression record. */
  public final String id;

  /** The column heading. */
  public final String label;

  Reason(String id, String label) {
    this.id = id;
    this.label = label;
  }

  /** The reason of that id; an unknown one is an error, as the contract lists them all. */
  public static Reason of(String id) {
    for (Reason r : values()) {
      if (r.id.equals(id)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown suppression reason '" + id + "'");
  }
}

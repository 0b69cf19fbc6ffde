package io.beckon.engine.condition;

import java.util.Locale;

/** Comparison operators of conditions, as written in rule files. */
public enum Op {
  EQ,
  NE,
  IN,
  NOT_IN,
  GT,
  GTE,
  LT,
  LTE,
  EXISTS,
  NOT_EXISTS,
  CONTAINS;

  /** The spelling in rule files, e.g. {@code not_in}. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a spelling; null when unknown. */
  public static Op parse(String spelling) {
    for (Op op : values()) {
      if (op.spelling().equals(spelling)) {
        return op;
      }
    }
    return null;
  }

  /** Whether the operator takes no value. */
  public boolean unary() {
    return this == EXISTS || this == NOT_EXISTS;
  }
}

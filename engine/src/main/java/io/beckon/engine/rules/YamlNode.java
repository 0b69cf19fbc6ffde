package io.beckon.engine.rules;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML document as a tree that remembers where each value stands, so every rule problem can be
 * reported as {@code file:line:column}. Scalars are resolved to the value model (String, Long,
 * Double, Boolean, null).
 */
public final class YamlNode {
  private final int line;
  private final int column;
  private final Object scalar;
  private final Map<String, YamlNode> map;
  private final List<YamlNode> list;
  private final Map<String, YamlNode> keys = new LinkedHashMap<>();
  // Where this node stands in its document, for paths like trigger.fences[0].lat; set once by the
  // parent when it is built (children are built first).
  private YamlNode parent;
  private Object name;

  private YamlNode(
      int line, int column, Object scalar, Map<String, YamlNode> map, List<YamlNode> list) {
    this.line = line;
    this.column = column;
    this.scalar = scalar;
    this.map = map;
    this.list = list;
  }

  /**
   * Parses one YAML document; syntax errors and broken {@link RuleLimits} (file size, nesting,
   * aliases) become {@link RuleException}s with a position.
   */
  public static YamlNode parse(String text) {
    RuleException tooBig = RuleLimits.fileSize(text);
    if (tooBig != null) {
      throw tooBig;
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setMaxAliasesForCollections(RuleLimits.YAML_COLLECTION_ALIASES);
    options.setNestingDepthLimit(RuleLimits.YAML_DEPTH);
    options.setCodePointLimit(RuleLimits.FILE_BYTES);
    try {
      Node root = new Yaml(options).compose(new StringReader(text));
      if (root == null) {
        throw new RuleException(1, 1, "the file is empty");
      }
      return new Converter().convert(root, 1);
    } catch (MarkedYAMLException e) {
      var mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      throw new RuleException(
          mark == null ? 1 : mark.getLine() + 1,
          mark == null ? 1 : mark.getColumn() + 1,
          "invalid YAML: " + problem.trim());
    } catch (YAMLException e) {
      // The loader's limits say so without a position: the whole file is at fault.
      String message = String.valueOf(e.getMessage());
      if (message.startsWith("Number of aliases")) {
        message =
            "more than "
                + RuleLimits.YAML_COLLECTION_ALIASES
                + " aliases of lists or mappings (an alias bomb?)";
      } else if (message.startsWith("Nesting Depth")) {
        message = "lists and mappings nested deeper than " + RuleLimits.YAML_DEPTH + " levels";
      }
      throw new RuleException(1, 1, "invalid YAML: " + message);
    }
  }

  /**
   * Builds the tree from the loader's node graph. Aliases make that graph share nodes (and a
   * recursive alias makes it cyclic), so the expanded tree is bounded here: by depth, by node count
   * and by refusing a node inside itself.
   */
  private static final class Converter {
    private final Set<Node> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private int nodes;

    YamlNode convert(Node node, int depth) {
      int line = node.getStartMark().getLine() + 1;
      int column = node.getStartMark().getColumn() + 1;
      if (!open.add(node)) {
        throw new RuleException(line, column, "invalid YAML: an alias refers to itself");
      }
      // Past these two, the position of the node at hand says little: the file is at fault.
      if (depth > RuleLimits.YAML_DEPTH) {
        throw new RuleException(
            1,
            1,
            "invalid YAML: lists and mappings nested deeper than "
                + RuleLimits.YAML_DEPTH
                + " levels once aliases are expanded");
      }
      if (++nodes > RuleLimits.YAML_NODES) {
        throw new RuleException(
            1,
            1,
            "invalid YAML: more than "
                + RuleLimits.count(RuleLimits.YAML_NODES)
                + " values once aliases are expanded");
      }
      try {
        return convertOpen(node, line, column, depth);
      } finally {
        open.remove(node);
      }
    }

    private YamlNode convertOpen(Node node, int line, int column, int depth) {
      if (node instanceof MappingNode mapping) {
        Map<String, YamlNode> map = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
          Node key = tuple.getKeyNode();
          if (!(key instanceof ScalarNode scalarKey)) {
            throw new RuleException(
                key.getStartMark().getLine() + 1,
                key.getStartMark().getColumn() + 1,
                "keys must be plain names");
          }
          if (map.put(scalarKey.getValue(), convert(tuple.getValueNode(), depth + 1)) != null) {
            throw new RuleException(
                key.getStartMark().getLine() + 1,
                key.getStartMark().getColumn() + 1,
                "duplicate key '" + scalarKey.getValue() + "'");
          }
        }
        YamlNode result = new YamlNode(line, column, null, map, null);
        map.forEach((name, child) -> child.adopt(result, name));
        for (NodeTuple tuple : mapping.getValue()) {
          Node key = tuple.getKeyNode();
          String name = ((ScalarNode) key).getValue();
          result.keys.put(
              name,
              new YamlNode(
                  key.getStartMark().getLine() + 1,
                  key.getStartMark().getColumn() + 1,
                  name,
                  null,
                  null));
        }
        return result;
      }
      if (node instanceof SequenceNode sequence) {
        List<YamlNode> list = new ArrayList<>();
        sequence.getValue().forEach(element -> list.add(convert(element, depth + 1)));
        YamlNode result = new YamlNode(line, column, null, null, list);
        for (int i = 0; i < list.size(); i++) {
          list.get(i).adopt(result, i);
        }
        return result;
      }
      ScalarNode scalar = (ScalarNode) node;
      return new YamlNode(line, column, resolve(scalar), null, null);
    }
  }

  private static Object resolve(ScalarNode scalar) {
    String text = scalar.getValue();
    Tag tag = scalar.getTag();
    if (Tag.NULL.equals(tag)) {
      return null;
    }
    if (Tag.BOOL.equals(tag)) {
      return Boolean.valueOf(
          text.equalsIgnoreCase("true")
              || text.equalsIgnoreCase("yes")
              || text.equalsIgnoreCase("on"));
    }
    if (Tag.INT.equals(tag)) {
      try {
        return Long.parseLong(text.replace("_", ""));
      } catch (NumberFormatException e) {
        return text;
      }
    }
    if (Tag.FLOAT.equals(tag)) {
      try {
        return Double.parseDouble(text.replace("_", ""));
      } catch (NumberFormatException e) {
        return text;
      }
    }
    return text;
  }

  private void adopt(YamlNode parent, Object name) {
    this.parent = parent;
    this.name = name;
  }

  /**
   * Where this node stands, as problems name it: {@code trigger.fences[0].lat}; empty for the
   * document itself.
   */
  public String path() {
    if (parent == null) {
      return "";
    }
    String up = parent.path();
    if (name instanceof Integer index) {
      return up + "[" + index + "]";
    }
    return up.isEmpty() ? (String) name : up + "." + name;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  public boolean isMap() {
    return map != null;
  }

  public boolean isList() {
    return list != null;
  }

  public boolean isScalar() {
    return map == null && list == null;
  }

  /** The scalar value (null for maps, lists and YAML null). */
  public Object scalar() {
    return scalar;
  }

  public Map<String, YamlNode> entries() {
    return map == null ? Map.of() : map;
  }

  public List<YamlNode> elements() {
    return list == null ? List.of() : list;
  }

  /** A child of a map, or null. */
  public YamlNode get(String key) {
    return map == null ? null : map.get(key);
  }

  /** The node as a value of the model (maps and lists converted recursively). */
  public Object toValue() {
    if (map != null) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(k, v.toValue()));
      return out;
    }
    if (list != null) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(v.toValue()));
      return out;
    }
    return scalar;
  }

  /** The position of a key of this map (for "unknown key" errors), or this node's. */
  public YamlNode key(String name) {
    return keys.getOrDefault(name, this);
  }

  /** An error at this node's position. */
  public RuleException error(String message) {
    return new RuleException(line, column, message);
  }
}

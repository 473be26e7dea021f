package io.jdiffusion.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts a prompt around its added tokens as transformers' slow tokenizers do (tokenization_utils.py of 4.57.6;
 * the same in tokenization_python.py @ edfbb7a1): {@code Trie.split}, then the lstrip / rstrip / single_word
 * handling of {@code PreTrainedTokenizer.tokenize}. The trie scan is kept step for step, since its choice among
 * overlapping tokens (the earliest start, then the longest token there, looking ahead from partial matches)
 * defines which pieces come out.
 */
final class AddedTokenSplitter {
  private static final class Node {
    final Map<Integer, Node> next = new HashMap<>();
    boolean end;
  }

  private final Node root = new Node();
  private final Map<String, AddedToken> tokens;

  AddedTokenSplitter(Map<String, AddedToken> tokens) {
    this.tokens = tokens;
    for (String word : tokens.keySet()) {
      Node n = root;
      for (int cp : word.codePoints().toArray()) {
        n = n.next.computeIfAbsent(cp, k -> new Node());
      }
      n.end = true;
    }
  }

  /** Trie.split: the text cut at the boundaries of the added tokens found in it. */
  List<String> trieSplit(String text) {
    int[] t = text.codePoints().toArray();
    int n = t.length;
    LinkedHashMap<Integer, Node> states = new LinkedHashMap<>();
    List<Integer> offsets = new ArrayList<>();
    offsets.add(0);
    int skip = 0;
    for (int current = 0; current < n; current++) {
      int ch = t[current];
      if (skip != 0 && current < skip) {
        continue;
      }
      List<Integer> toRemove = new ArrayList<>();
      boolean reset = false;
      for (Map.Entry<Integer, Node> state : states.entrySet()) {
        int start = state.getKey();
        Node node = state.getValue();
        if (node.end) {
          int end = current;
          for (Map.Entry<Integer, Node> look : states.entrySet()) {
            int lookstart = look.getKey();
            Node looknode = look.getValue();
            int lookahead;
            if (lookstart > start) {
              break;
            } else if (lookstart < start) {
              lookahead = current + 1;
              end = current + 1;
            } else {
              lookahead = current;
              end = current;
            }
            Integer next = lookahead < n ? t[lookahead] : null;
            if (looknode.end) {
              start = lookstart;
              end = lookahead;
              skip = lookahead;
            }
            while (next != null && looknode.next.containsKey(next)) {
              looknode = looknode.next.get(next);
              lookahead++;
              if (looknode.end) {
                start = lookstart;
                end = lookahead;
                skip = lookahead;
              }
              if (lookahead == n) {
                break;
              }
              next = t[lookahead];
            }
          }
          offsets.add(start);
          offsets.add(end);
          reset = true;
          break;
        } else if (node.next.containsKey(ch)) {
          state.setValue(node.next.get(ch));
        } else {
          toRemove.add(start);
        }
      }
      if (reset) {
        states.clear();
      } else {
        for (int s : toRemove) {
          states.remove(s);
        }
      }
      if (current >= skip && root.next.containsKey(ch)) {
        states.put(current, root.next.get(ch));
      }
    }
    for (Iterator<Map.Entry<Integer, Node>> it = states.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, Node> state = it.next();
      if (state.getValue().end) {
        offsets.add(state.getKey());
        offsets.add(n);
        break;
      }
    }
    offsets.add(n);
    List<String> pieces = new ArrayList<>();
    int start = 0;
    for (int end : offsets) {
      if (start >= end) {
        continue;
      }
      pieces.add(new String(t, start, end - start));
      start = end;
    }
    return pieces;
  }

  /**
   * The pieces of {@link #trieSplit} after each added token's stripping rules; empty pieces dropped. A piece is an
   * added token exactly when {@link #isAdded} says so.
   */
  List<String> split(String text) {
    List<String> pieces = trieSplit(text);
    for (int i = 0; i < pieces.size(); i++) {
      String piece = pieces.get(i);
      AddedToken tok = tokens.get(piece);
      if (tok == null) {
        continue;
      }
      String left = i > 0 ? pieces.get(i - 1) : null;
      String right = i < pieces.size() - 1 ? pieces.get(i + 1) : null;
      if (tok.rstrip() && right != null && !right.isEmpty()) {
        pieces.set(i + 1, PythonText.lstrip(right));
      }
      if (tok.lstrip() && left != null && !left.isEmpty()) {
        pieces.set(i - 1, PythonText.rstrip(left));
      }
      if (tok.singleWord()) {
        // tested on left / right as they were before stripping (as transformers does), joined to the stripped pieces
        if (left != null && !left.isEmpty() && !left.endsWith(" ")) {
          pieces.set(i - 1, pieces.get(i - 1) + piece);
          pieces.set(i, "");
        } else if (right != null && !right.isEmpty() && !right.startsWith(" ")) {
          pieces.set(i + 1, piece + pieces.get(i + 1));
          pieces.set(i, "");
        }
      }
    }
    pieces.removeIf(String::isEmpty);
    return pieces;
  }

  boolean isAdded(String piece) {
    return tokens.containsKey(piece);
  }
}

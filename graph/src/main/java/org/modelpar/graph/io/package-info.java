/**
 * Reading and writing computation graphs: the native {@code modelpar-graph/1} JSON
 * ({@link org.modelpar.graph.io.GraphJson}), PipeDream {@code graph.txt} profiles, Hugging Face
 * {@code config.json} files (architecture by architecture), ONNX models and Graphviz DOT. {@link org.modelpar.graph.io.GraphReader} is the facade.
 * Every error is a {@link org.modelpar.graph.GraphException} with one line naming the file, the line or
 * JSON field path, and the offending value.
 */
package org.modelpar.graph.io;

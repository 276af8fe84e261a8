/**
 * JSON readers and writers of the {@code modelpar-device/1} and {@code modelpar-cluster/1} formats
 * (docs/profiles.md#file-formats), and {@link org.modelpar.profiles.io.Json}, the parser and field reader
 * every modelpar format reads with. Readers fail with one-line {@link org.modelpar.profiles.ProfileException}s
 * naming the file, the JSON field path and the offending value; writers produce canonical, deterministic JSON.
 */
package org.modelpar.profiles.io;

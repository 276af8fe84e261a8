package org.modelpar.executor.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.modelpar.graph.io.AtomicFiles;

/**
 * An exclusive lock on a checkpoint folder (file {@code .lock} in it, an OS file lock), held for a whole
 * training run so two runs never write one checkpoint; released on close, and by the OS when the process dies.
 */
final class CheckpointLock implements AutoCloseable {
    static final String FILE = ".lock";
    private final FileChannel channel;
    private final FileLock lock;

    private CheckpointLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code dir}, creating it; a folder another run holds is a {@link CheckpointException}. */
    static CheckpointLock acquire(Path dir) {
        Path file = dir.resolve(FILE);
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                throw inUse(dir, ch);
            }
            return new CheckpointLock(ch, l);
        } catch (OverlappingFileLockException e) {
            throw inUse(dir, ch);
        } catch (IOException e) {
            close(ch);
            throw new CheckpointException(file + ": cannot lock the checkpoint folder: " + AtomicFiles.reason(e), e);
        }
    }

    private static CheckpointException inUse(Path dir, FileChannel ch) {
        close(ch);
        return new CheckpointException(dir + ": checkpoint folder is in use by another train run (it holds "
                + dir.resolve(FILE) + ")");
    }

    private static void close(FileChannel ch) {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException e) {
            // closing releases the lock; nothing else to undo
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the channel's close below releases it too
        }
        close(channel);
    }
}

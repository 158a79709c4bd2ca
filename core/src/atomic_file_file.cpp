#include "ae/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <system_error>

#include "ae/error.h"

namespace ae {

namespace {

std::string errno_text(int err) { return std::generic_category().message(err); }

// The directory part of `path` ("." for a bare file name), for the directory fsync.
std::string parent_dir(const std::string& path) {
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

}  // namespace

void write_file_atomic(const std::string& path, const void* data, size_t size) {
    static std::atomic<unsigned long> counter{0};
    const std::string tmp = path + ".tmp-" + std::to_string(static_cast<long>(getpid())) + "-" +
                            std::to_string(counter.fetch_add(1));

    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        const int err = errno;
        throw Error("cannot write '" + path + "': creating temporary file '" + tmp + "' failed: " +
                    errno_text(err));
    }

    // Any failure from here on: close, remove the temporary, report.
    auto fail = [&](const char* what, int err) {
        if (fd >= 0) close(fd);
        unlink(tmp.c_str());
        throw Error("cannot write '" + path + "': " + what + " failed: " + errno_text(err));
    };

    const uint8_t* bytes = static_cast<const uint8_t*>(data);
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, bytes + done, size - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            fail("write", errno);
        }
        done += static_cast<size_t>(w);
    }
    if (fsync(fd) != 0) fail("fsync", errno);
    const int closed = close(fd);
    fd = -1;
    if (closed != 0) fail("close", errno);
    if (rename(tmp.c_str(), path.c_str()) != 0) fail("rename", errno);

    // Make the rename itself durable. Best effort: some file systems refuse fsync on a directory.
    int dir = open(parent_dir(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
}

}  // namespace ae

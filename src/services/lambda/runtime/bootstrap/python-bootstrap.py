# The Lambda-like bootstrap of a python3.x function's process (coffer's process runtime).
#
# Started as `python -u -B python-bootstrap.py` with the task root as working directory and
# the environment AWS gives a function. It loads the handler named by _HANDLER once (the init
# phase), then serves invocations one at a time over fd 3, a socket to the coffer server:
#
#   in:  {"type":"invoke","requestId":…,"functionArn":…,"deadlineMs":…,"payload":"<event JSON>","marker":…}\n
#   out: {"type":"ready"}\n or {"type":"init-error","error":{…}}\n   (once, after init)
#        {"type":"result","payload":"<JSON>"}\n or {"type":"error","error":{…}}\n
#
# The function's own stdout and stderr stay its log. After each invocation the bootstrap writes
# the invocation's marker to both, so the server knows where this invocation's output ends.
# Errors have the shape of AWS's Python runtime: errorMessage, errorType, requestId, stackTrace.
# Only the standard library is used: this runs inside the function's interpreter.
import importlib
import json
import logging
import os
import sys
import time
import traceback

CHANNEL_FD = 3


class LambdaContext:
    """What AWS's Python runtime passes as `context`."""

    def __init__(self, request_id, deadline_ms, invoked_function_arn):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        # A string, as in AWS's runtime (it is read from the environment there too).
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def __repr__(self):
        return "LambdaContext([aws_request_id={},function_name={},function_version={},invoked_function_arn={}])".format(
            self.aws_request_id, self.function_name, self.function_version, self.invoked_function_arn)


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


def _install_logging():
    # AWS's runtime gives the root logger a handler in this format; the rotation templates call
    # logging.getLogger().setLevel(logging.INFO) and expect their lines in the log.
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)


def _error(message, error_type, request_id="", stack=None):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack or []}


def _exception_error(exc, request_id, skip_frames=1):
    frames = traceback.extract_tb(exc.__traceback__)[skip_frames:]
    return _error(str(exc), type(exc).__name__, request_id, traceback.format_list(frames))


def _load_handler(spec):
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as e:
        return None, _error("Bad handler '{}': {}".format(spec, e), "Runtime.MalformedHandlerName")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        return None, _error("Unable to import module '{}': {}".format(module_name, e), "Runtime.ImportModuleError")
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s\n' % (e.filename, e.lineno, e.text)]
        return None, _error("Syntax error in module '{}': {}".format(module_name, e), "Runtime.UserCodeSyntaxError", "", trace)
    except Exception as e:
        return None, _exception_error(e, "", 0)
    handler = getattr(module, function_name, None)
    if handler is None:
        return None, _error("Handler '{}' missing on module '{}'".format(function_name, module_name), "Runtime.HandlerNotFound")
    return handler, None


class Channel:
    def __init__(self, fd):
        self.fd = fd
        self.buffer = b""

    def read(self):
        while b"\n" not in self.buffer:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def write(self, message):
        data = (json.dumps(message) + "\n").encode("utf-8")
        while data:
            data = data[os.write(self.fd, data):]


def _end_of_output(marker):
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(1, marker.encode("utf-8"))
    os.write(2, marker.encode("utf-8"))


def _log_error(error):
    # AWS's runtime logs a failed invocation's error in the function's log as well.
    trace = "".join(error["stackTrace"])
    sys.stdout.write("[ERROR] {}: {}\nTraceback (most recent call last):\n{}".format(error["errorType"], error["errorMessage"], trace))
    if not trace.endswith("\n"):
        sys.stdout.write("\n")


def main():
    channel = Channel(CHANNEL_FD)
    os.set_inheritable(CHANNEL_FD, False)
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    # The bootstrap's own directory must not shadow the function's modules.
    sys.path[0:1] = [task_root]
    _install_logging()
    handler, init_error = _load_handler(os.environ.get("_HANDLER", ""))
    if init_error is not None:
        _log_error(init_error)
        sys.stdout.flush()
        channel.write({"type": "init-error", "error": init_error})
        return
    channel.write({"type": "ready"})
    while True:
        message = channel.read()
        if message is None:
            return
        request_id = message["requestId"]
        _RequestIdFilter.request_id = request_id
        context = LambdaContext(request_id, message["deadlineMs"], message["functionArn"])
        reply = None
        try:
            payload = message["payload"]
            event = json.loads(payload) if payload.strip() else {}
            result = handler(event, context)
            try:
                reply = {"type": "result", "payload": json.dumps(result)}
            except (TypeError, ValueError) as e:
                error = _error("Unable to marshal response: {}".format(e), "Runtime.MarshalError", request_id)
                reply = {"type": "error", "error": error}
        except Exception as e:
            error = _exception_error(e, request_id)
            _log_error(error)
            reply = {"type": "error", "error": error}
        _end_of_output(message["marker"])
        channel.write(reply)


if __name__ == "__main__":
    main()

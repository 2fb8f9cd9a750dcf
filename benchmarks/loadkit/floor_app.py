"""The floor: a bare Flask app served with the same gunicorn settings as quizapp."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"


@app.get("/healthz")
def healthz() -> str:
    return "ok"

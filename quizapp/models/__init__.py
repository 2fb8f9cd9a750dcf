"""SQLAlchemy models, one module per aggregate."""

from quizapp.models.bank import Question
from quizapp.models.bank import Topic
from quizapp.models.progress import DailyActivity
from quizapp.models.progress import TopicDay
from quizapp.models.quiz import Quiz
from quizapp.models.quiz import QuizItem
from quizapp.models.review import Attempt
from quizapp.models.review import Card
from quizapp.models.review import QuestionStats
from quizapp.models.review import TopicSkill
from quizapp.models.user import LoginSession
from quizapp.models.user import User

__all__ = [
    "Attempt", "Card", "DailyActivity", "LoginSession", "Question", "QuestionStats", "Quiz",
    "QuizItem", "Topic", "TopicDay", "TopicSkill", "User",
]

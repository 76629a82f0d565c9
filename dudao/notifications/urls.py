from django.urls import path

from dudao.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("unread.json", views.unread, name="unread"),
    path("read/", views.read, name="read"),
]
